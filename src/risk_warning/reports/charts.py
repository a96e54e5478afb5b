"""The report's charts, drawn by matplotlib as SVG text to be inlined in the page: vector (sharp in print),
no script and no network at view time. Text stays text (``svg.fonttype: none``), so the reader's browser
draws the Chinese labels with its own fonts; here a CJK font is used for measuring when one is installed.

Grades keep their colours everywhere: 严重 red, 警示 orange, 关注 yellow, 提示 blue.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Sequence
from functools import cache
from typing import Any

from risk_warning.errors import ConfigError
from risk_warning.grade import Grade
from risk_warning.reports.leaders import GRADES, Count, TrendPoint

GRADE_COLOUR = {Grade.RED: "#c0392b", Grade.ORANGE: "#e67e22", Grade.YELLOW: "#f1c40f", Grade.BLUE: "#2e86de"}
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimHei", "WenQuanYi Zen Hei")
MOST = 12  # bars in a family or unit chart; the rest are summed as 其他


def grade_chart(by_grade: dict[Grade, int]) -> str:
    fig, ax = _figure(5.2, 2.6)
    labels = [g.label for g in GRADES]
    values = [by_grade.get(g, 0) for g in GRADES]
    bars = ax.bar(labels, values, color=[GRADE_COLOUR[g] for g in GRADES], width=0.6)
    ax.bar_label(bars, padding=2, fontsize=9)
    ax.set_ylabel("预警数")
    ax.margins(y=0.18)
    return _svg(fig, "本期预警按等级")


def stacked_chart(counts: Sequence[Count], title: str) -> str:
    """Horizontal bars stacked by grade, the largest on top; beyond ``MOST`` rows, one 其他 row."""
    rows = list(counts[:MOST])
    if len(counts) > MOST:
        rest = counts[MOST:]
        rows.append(Count(key="", label="其他", by_grade={g: sum(c.by_grade[g] for c in rest) for g in GRADES}))
    fig, ax = _figure(6.4, 0.9 + 0.32 * max(1, len(rows)))
    if not rows:
        return _empty(fig, ax, title)
    labels = [r.label for r in reversed(rows)]
    left = [0] * len(rows)
    for grade in GRADES:
        widths = [r.by_grade[grade] for r in reversed(rows)]
        ax.barh(labels, widths, left=left, color=GRADE_COLOUR[grade], label=grade.label, height=0.62)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    for y, total in enumerate(left):
        ax.text(total, y, f" {total}", va="center", fontsize=8)
    ax.legend(ncols=4, loc="lower right", fontsize=8, frameon=False, bbox_to_anchor=(1, 1))
    ax.margins(x=0.08)
    return _svg(fig, title)


def trend_chart(points: Sequence[TrendPoint]) -> str:
    fig, ax = _figure(6.4, 2.6)
    if not points:
        return _empty(fig, ax, "各次扫描的预警趋势")
    days = [p.as_of.isoformat()[5:] for p in points]
    ax.plot(days, [p.open for p in points], color="#34495e", marker="o", markersize=3, label="在办预警")
    ax.bar(days, [p.raised for p in points], color="#e67e22", alpha=0.75, label="新增", width=0.4, align="edge")
    ax.bar(days, [-p.cleared for p in points], color="#27ae60", alpha=0.75, label="解除", width=0.4, align="edge")
    ax.axhline(0, color="#999999", linewidth=0.6)
    ax.legend(ncols=3, loc="lower right", fontsize=8, frameon=False, bbox_to_anchor=(1, 1))
    step = max(1, len(days) // 12)
    ax.set_xticks(range(0, len(days), step), days[::step], rotation=0, fontsize=8)
    return _svg(fig, "各次扫描的预警趋势")


def _figure(width: float, height: float) -> tuple[Any, Any]:
    figure_class = _matplotlib()
    fig = figure_class(figsize=(width, height), dpi=96)
    ax = fig.subplots()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _empty(fig: Any, ax: Any, title: str) -> str:
    ax.axis("off")
    ax.text(0.5, 0.5, "本期无数据", ha="center", va="center", fontsize=11, color="#777777")
    return _svg(fig, title)


def _svg(fig: Any, title: str) -> str:
    import matplotlib

    fig.suptitle(title, fontsize=11, x=0.02, ha="left")
    buffer = io.StringIO()
    settings: dict[Any, Any] = {
        "svg.fonttype": "none",
        "svg.hashsalt": "risk-warning",
        "font.family": [*_fonts(), "sans-serif"],
    }
    with matplotlib.rc_context(settings), warnings.catch_warnings():
        # without a CJK font here, glyphs are measured with a Latin font; the browser still draws them
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # no XML prolog or doctype inside an HTML page


@cache
def _fonts() -> tuple[str, ...]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(f for f in CJK_FONTS if f in installed)


@cache
def _matplotlib() -> Any:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the report needs matplotlib: pip install 'risk-warning[report]'"
        ) from None  # an optional part, like the PostgreSQL driver
    # a Figure of its own, not pyplot: no backend chosen, no global figure state in the embedding process
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    from matplotlib.figure import Figure

    return Figure
