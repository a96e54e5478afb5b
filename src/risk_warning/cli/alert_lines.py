"""Alerts as printed for people: what a scan changed tonight by default (new, raised, cleared), every alert
that holds with ``--all``, and ``alerts list``; alert ids to triage with, the masked name and the unit's
name, Chinese headers, and a layout that reads at 80 columns.

A wide terminal (or a pipe, 160 columns) gets a table; a narrow one gets one block per alert, so that no
rule id or message is broken mid-word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from risk_warning.alerts.labels import evidence_line, family_label, status_label
from risk_warning.grade import Grade
from risk_warning.privacy import scrub
from risk_warning.store.stored import StoredAlert, StoredAssignment, StoredChange, StoredDisposition

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
    """One alert as printed: its id, grade, what happened to it tonight (or its status, in a list)."""

    alert_id: int
    grade: Grade
    change: str
    subject: str  # id and masked name: C001 张**
    unit: str  # the unit's name, or its id when the export had none
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


def held_lines(alerts: Sequence[StoredAlert], *, status: bool = False) -> list[Line]:
    """Alerts as they stand, highest grade first; with ``status``, each one's status in the third column."""
    lines = (_line(a, status_label(a.status) if status else "") for a in alerts)
    return sorted(lines, key=lambda ln: (-ln.grade.rank, ln.subject, ln.rule))


def _line(alert: StoredAlert, change: str) -> Line:
    return Line(
        alert.id or 0,
        Grade(alert.grade),
        change,
        f"{alert.subject_id} {alert.subject_name}".strip(),
        alert.org_unit_name or alert.org_unit_id or "",
        alert.rule_id,
        scrub(alert.message),
        alert.disposition,
    )


def print_lines(console: Console, title: str, lines: Sequence[Line], *, third: str = "变化") -> None:
    """A table on a wide console, one block per alert on a narrow one; ``third`` heads the change (or
    status) column."""
    if not lines:
        console.print(f"{title}: 无", markup=False)
        return
    if console.width >= WIDE:
        table = Table(title=title)
        table.add_column("编号", justify="right", no_wrap=True)
        table.add_column("等级", no_wrap=True)
        table.add_column(third, no_wrap=True)
        table.add_column("对象", no_wrap=True)
        table.add_column("单位", no_wrap=True)
        table.add_column("规则", no_wrap=True)
        table.add_column("预警内容", overflow="fold", ratio=3)
        table.add_column("处置建议", overflow="fold", ratio=1)
        for ln in lines:
            grade = Text(f"{COLOUR[ln.grade]} {ln.grade.label}", style=GRADE_STYLE[ln.grade])
            table.add_row(str(ln.alert_id), grade, ln.change, ln.subject, ln.unit, ln.rule, ln.message, ln.disposition)
        console.print(table)
        return
    console.print(title, markup=False)
    for ln in lines:
        grade = Text(f"{COLOUR[ln.grade]} {ln.grade.label}", style=GRADE_STYLE[ln.grade])
        console.print(Text.assemble(f"#{ln.alert_id} ", grade, scrub(f" {ln.change} {ln.subject} {ln.unit}".rstrip())))
        console.print(f"    {ln.rule}", markup=False)
        console.print(f"    {ln.message}", markup=False)
        console.print(f"    处置建议: {ln.disposition}", markup=False)


def show_lines(
    alert: StoredAlert,
    history: Sequence[StoredChange],
    dispositions: Sequence[StoredDisposition],
    assignments: Sequence[StoredAssignment],
) -> list[str]:
    """One alert for ``alerts show``: who and what, the evidence, the cadre's education and intervention
    record, the dispositions and targeted education on it, and its history. Names as stored (masked)."""
    grade = Grade(alert.grade)
    unit = alert.org_unit_name or alert.org_unit_id or ""
    lines = [
        f"#{alert.id} {COLOUR[grade]} {grade.label} · {status_label(alert.status)} · {alert.title}",
        f"对象: {alert.subject_id} {alert.subject_name}".rstrip() + (f" · 单位: {unit}" if unit else ""),
        f"规则: {alert.rule_id} ({family_label(alert.family)}) · 首次 {alert.first_seen} · 最近 {alert.last_seen}",
        f"预警内容: {alert.message}",
        f"依据: {alert.basis}",
        f"处置建议: {alert.disposition}",
        f"建议教育: {alert.recommended_education}",
    ]
    for a in alert.adjustments or []:
        lines.append(f"升级: {a['from_grade']}→{a['to_grade']} ({a['rule_id']}): {a['message']}")
    lines.append("证据:")
    lines += [f"  {evidence_line(item)}" for item in alert.evidence]
    context = alert.education or {}
    last = context.get("last_education_date")
    kind = context.get("last_education_type") or ""
    lines.append("教育与干预记录:")
    lines.append(f"  最近一次廉政教育: {f'{last} {kind}'.strip() if last else '无'}")
    lines.append(f"  近12个月: {context.get('sessions_12m', 0)} 次, {context.get('hours_12m', 0)} 学时")
    for i in context.get("interventions_12m", []):
        lines.append(f"  近12个月干预: {i.get('date', '')} {i.get('type', '')}".rstrip())
    for a in context.get("outstanding_assignments", []):
        late = " (逾期)" if a.get("overdue") else ""
        lines.append(f"  未完成的针对性教育: {a['topic']}, {a['due']} 前{late}")
    for d in dispositions:
        reply = f", 函询回复 {d.replied_at or '未回复'} (期限 {d.reply_due})" if d.reply_due else ""
        recheck = f"{d.rechecked_on} {d.recheck_result or ''}".strip() if d.rechecked_on else f"{d.recheck_due} 前"
        lines.append(f"处置: {d.decided_on} {d.type} ({d.decided_by}){reply}; 复查 {recheck}")
    for e in assignments:
        done = f"已完成 {e.completed_on}" if e.completed_on else f"{e.due} 前完成"
        lines.append(f"针对性教育: {e.assigned_on} {e.type} {e.topic}, {done}")
    lines.append("历史:")
    for h in history:
        change = f" →{status_label(h.to_status)}" if h.to_status else ""
        if h.to_status and h.from_status:
            change = f" {status_label(h.from_status)}{change}"
        grade_change = f" {h.from_grade}→{h.to_grade}" if h.to_grade and h.from_grade else ""
        what = CHANGE.get(h.action, h.action)
        lines.append(f"  {h.effective_on or h.at.date()} {h.actor}: {what}{change}{grade_change} {h.reason}".rstrip())
    return lines
