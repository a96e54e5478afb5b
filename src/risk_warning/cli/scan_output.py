"""What a scan prints for people: what changed tonight by default (new, raised, cleared), every alert that
holds with ``--all``; alert ids to triage with, Chinese headers, and a layout that reads at 80 columns.

A wide terminal (or a pipe, 160 columns) gets a table; a narrow one gets one block per alert, so that no
rule id or message is broken mid-word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from risk_warning.grade import Grade
from risk_warning.privacy import scrub
from risk_warning.store.stored import StoredAlert, StoredChange

GRADE_STYLE = {
    Grade.BLUE: "bold blue",
    Grade.YELLOW: "bold yellow",
    Grade.ORANGE: "bold dark_orange",
    Grade.RED: "bold red",
}
# what a scan's journal entry means to a reader
CHANGE = {
    "created": "新增",
    "reopened": "再现",
    "grade_changed": "调级",
    "cleared": "解除",
    "retired": "停用",
    "closed": "销号",
    "escalated": "升级",
}
WIDE = 100  # columns from which a table reads better than blocks
COLOUR = {Grade.BLUE: "蓝", Grade.YELLOW: "黄", Grade.ORANGE: "橙", Grade.RED: "红"}


@dataclass(frozen=True)
class Line:
    """One alert as printed: its id, grade, what happened to it tonight (or nothing, with --all)."""

    alert_id: int
    grade: Grade
    change: str
    subject: str
    unit: str
    rule: str
    message: str
    disposition: str


def changed_lines(changes: Sequence[tuple[StoredChange, StoredAlert]]) -> list[Line]:
    """The alerts a scan changed, each once (its last change tonight), highest grade first."""
    last: dict[int, tuple[StoredChange, StoredAlert]] = {}
    for change, alert in changes:
        last[alert.id or 0] = (change, alert)
    lines = []
    for change, alert in last.values():
        what = CHANGE.get(change.action, change.action)
        if change.action == "grade_changed" and change.from_grade and change.to_grade:
            up = Grade(change.to_grade).rank > Grade(change.from_grade).rank
            what = f"{'升' if up else '降'}级 {Grade(change.from_grade).label}→{Grade(change.to_grade).label}"
        lines.append(_line(alert, what))
    return sorted(lines, key=lambda ln: (-ln.grade.rank, ln.subject, ln.rule))


def held_lines(alerts: Sequence[StoredAlert]) -> list[Line]:
    return sorted((_line(a, "") for a in alerts), key=lambda ln: (-ln.grade.rank, ln.subject, ln.rule))


def _line(alert: StoredAlert, change: str) -> Line:
    return Line(
        alert.id or 0,
        Grade(alert.grade),
        change,
        alert.subject_id,
        alert.org_unit_id or "",
        alert.rule_id,
        scrub(alert.message),
        alert.disposition,
    )


def print_lines(console: Console, title: str, lines: Sequence[Line]) -> None:
    """A table on a wide console, one block per alert on a narrow one."""
    if not lines:
        console.print(f"{title}: 无", markup=False)
        return
    if console.width >= WIDE:
        table = Table(title=title)
        table.add_column("编号", justify="right", no_wrap=True)
        table.add_column("等级", no_wrap=True)
        table.add_column("变化", no_wrap=True)
        table.add_column("对象", no_wrap=True)
        table.add_column("单位", no_wrap=True)
        table.add_column("规则", no_wrap=True)
        table.add_column("预警内容", overflow="fold", ratio=3)
        table.add_column("处置建议", overflow="fold", ratio=1)
        for ln in lines:
            style = GRADE_STYLE[ln.grade]
            grade = f"[{style}]{COLOUR[ln.grade]} {ln.grade.label}[/{style}]"
            table.add_row(str(ln.alert_id), grade, ln.change, ln.subject, ln.unit, ln.rule, ln.message, ln.disposition)
        console.print(table)
        return
    console.print(title, markup=False)
    for ln in lines:
        style = GRADE_STYLE[ln.grade]
        grade = f"[{style}]{COLOUR[ln.grade]} {ln.grade.label}[/{style}]"
        head = f"#{ln.alert_id} {grade} {ln.change} {ln.subject} {ln.unit}".rstrip()
        console.print(head)
        console.print(f"    {ln.rule}", markup=False)
        console.print(f"    {ln.message}", markup=False)
        console.print(f"    处置建议: {ln.disposition}", markup=False)
