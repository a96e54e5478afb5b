"""The ruleset specification as typed objects: what a YAML ruleset file says, validated for shape.

Expressions stay text here; ``rules.check`` parses and type-checks them against the fact models.
``Ruleset.model_validate(dict)`` and ``Ruleset.model_dump(mode="json")`` round-trip a ruleset.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from risk_warning.grade import Grade

Status = Literal["experimental", "stable", "deprecated", "disabled"]
ParamType = Literal["int", "float", "str", "bool", "date", "list[str]", "list[int]", "list[float]", "list[date]"]
SubjectKind = Literal["cadre", "unit", "project", "contract"]  # facts._base.SUBJECT_KINDS
IndicatorKind = Literal["count", "sum", "min", "max", "distinct"]
RULE_ID_PATTERN = r"^[a-z0-9][a-z0-9_.\-]*$"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParamSpec(_Spec):
    """A tunable threshold: a type, a default and what it means."""

    type: ParamType
    default: Any
    description: str = ""


class BeforeSpec(_Spec):
    """``before:`` of a count indicator: one count per dated event (a fact of the subject's partition), of
    the counted facts whose ``field`` falls in the ``days`` before the event's date, the event's day
    included: ``event - days < field <= event``."""

    event: str  # type.date_field: "org_change.date"
    field: str  # the counted facts' date field
    days: int | str  # a number of days, or a param's name ("params.surge_window_days")


class IndicatorSpec(_Spec):
    """A per-subject aggregate computed before the rules: exactly one of count/sum/min/max/distinct."""

    count: str | None = None
    sum: str | None = None
    min: str | None = None
    max: str | None = None
    distinct: str | None = None
    where: str | None = None
    by: str | None = None
    before: BeforeSpec | None = None
    description: str = ""

    @model_validator(mode="after")
    def _one_kind(self) -> IndicatorSpec:
        chosen = [k for k in ("count", "sum", "min", "max", "distinct") if getattr(self, k) is not None]
        if len(chosen) != 1:
            raise ValueError("an indicator needs exactly one of count, sum, min, max, distinct")
        if self.before is not None and (self.by is not None or self.count is None):
            raise ValueError("before: is for a count indicator, without by:")
        return self

    @property
    def kind(self) -> IndicatorKind:
        for k in ("count", "sum", "min", "max", "distinct"):
            if getattr(self, k) is not None:
                return k
        raise AssertionError("validated to have one kind")

    @property
    def target(self) -> str:
        value = getattr(self, self.kind)
        assert isinstance(value, str)
        return value


class Expectation(_Spec):
    """One alert a rule test expects: the rule (defaults to the rule under test), subject and grade."""

    rule: str | None = None
    subject: str
    grade: Grade


class RuleTest(_Spec):
    """Facts and an as-of date, and exactly the alerts the rule must raise on them."""

    name: str
    as_of: date
    facts: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    expect: list[Expectation] = Field(default_factory=list)


class AdjustSpec(_Spec):
    """Raise the grade of one of tonight's alerts (a bound ``signal``) instead of raising an alert.

    The new grade is the signal's grade raised by ``raise`` levels, at least ``to``, at most ``cap``;
    an adjustment never lowers a grade, and blue alerts (weak signals) are never raised.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    signal: str
    raise_: int = Field(0, alias="raise", ge=0, le=3)
    to: Grade | None = None
    cap: Grade | None = None

    @model_validator(mode="after")
    def _something(self) -> AdjustSpec:
        if self.raise_ == 0 and self.to is None:
            raise ValueError("an adjustment needs `raise:` (levels) or `to:` (a grade)")
        return self

    def apply(self, grade: Grade) -> Grade:
        if grade == Grade.BLUE:
            return grade
        new = grade.raised(self.raise_)
        if self.to is not None and new < self.to:
            new = self.to
        if self.cap is not None and new > self.cap:
            new = self.cap
        return max(new, grade, key=lambda g: g.rank)


class RuleSpec(_Spec):
    """One warning rule: what to match, how to grade it, what it rests on and what to do."""

    id: str = Field(pattern=RULE_ID_PATTERN)
    title: str
    family: str
    basis: str
    disposition: str
    status: Status = "stable"
    catalogue: str | None = None
    education: str | None = None
    author: str | None = None
    tags: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    match: dict[str, str]
    grade: Grade | None = None
    levels: dict[Grade, str] | None = None
    adjust: AdjustSpec | None = None
    message: str
    tests: list[RuleTest] = Field(default_factory=list)

    @model_validator(mode="after")
    def _grade_or_levels(self) -> RuleSpec:
        if self.adjust is not None:
            if self.grade is not None or self.levels is not None:
                raise ValueError(
                    "a rule with `adjust:` raises another alert's grade: it takes no `grade:` or `levels:`"
                )
        elif (self.grade is None) == (self.levels is None):
            raise ValueError("a rule needs either `grade:` or `levels:`, not both and not neither")
        if not self.match:
            raise ValueError("`match:` needs at least one pattern")
        return self


class RulesetSpec(_Spec):
    """A ruleset file: metadata, params, indicators and rules."""

    ruleset: str = Field(pattern=RULE_ID_PATTERN)
    title: str
    version: str
    status: Status = "stable"
    subject: SubjectKind = "cadre"
    description: str = ""
    references: list[str] = Field(default_factory=list)
    params: dict[str, ParamSpec | int | float | str | bool | date | list[str | int | float | date]] = Field(
        default_factory=dict
    )
    indicators: dict[str, IndicatorSpec] = Field(default_factory=dict)
    rules: list[RuleSpec]


class RuleOverride(_Spec):
    status: Status | None = None
    grade: Grade | None = None


class SiteOverrides(_Spec):
    """A site file: new param values and per-rule status or grade changes, without forking a ruleset."""

    params: dict[str, int | float | str | bool | date | list[str | int | float | date]] = Field(default_factory=dict)
    rules: dict[str, RuleOverride] = Field(default_factory=dict)
    # the site's own tests: facts and exactly the alerts every rule raises on them, each expectation naming its rule
    tests: list[RuleTest] = Field(default_factory=list)
