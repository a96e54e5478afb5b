"""Alert grades: blue 提示 < yellow 关注 < orange 警示 < red 严重."""

from __future__ import annotations

import enum


class Grade(enum.StrEnum):
    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"

    @property
    def rank(self) -> int:
        return int(_ORDER.index(self))

    @property
    def label(self) -> str:
        """The Chinese label: 提示 / 关注 / 警示 / 严重."""
        return _LABELS[self]

    @property
    def score(self) -> int:
        """A numeric weight for risk accumulation: each grade counts as much as three below it."""
        return int(3**self.rank)

    def raised(self, levels: int = 1, cap: Grade | None = None) -> Grade:
        top = cap.rank if cap is not None else len(_ORDER) - 1
        return _ORDER[max(0, min(self.rank + levels, top))]

    # str's ordering is alphabetical; grades order by severity.
    def __lt__(self, other: str) -> bool:
        return self.rank < Grade(other).rank

    def __le__(self, other: str) -> bool:
        return self.rank <= Grade(other).rank

    def __gt__(self, other: str) -> bool:
        return self.rank > Grade(other).rank

    def __ge__(self, other: str) -> bool:
        return self.rank >= Grade(other).rank


_ORDER: list[Grade] = [Grade.BLUE, Grade.YELLOW, Grade.ORANGE, Grade.RED]
_LABELS = {Grade.BLUE: "提示", Grade.YELLOW: "关注", Grade.ORANGE: "警示", Grade.RED: "严重"}
