"""The base of every fact model: a type name, a natural key, the subject it belongs to, PII marks."""

from __future__ import annotations

import enum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class Pii(enum.StrEnum):
    """How personal a field is (see docs/facts.md).

    HIGH fields (身份证号, phone, document numbers) never reach the engine, rules or any output.
    MASK fields (names, birth dates) may be used by rules but are masked wherever they are shown.
    """

    HIGH = "high"
    MASK = "mask"


def pii_field(level: Pii, default: Any = None, **kwargs: Any) -> Any:
    """A pydantic Field marked with its personal-data level."""
    return Field(default, json_schema_extra={"pii": level.value}, **kwargs)


class Fact(BaseModel):
    """A typed fact. Subclasses set ``fact_type`` and ``key_field``.

    ``subject_fields`` name the fields that tie a fact to its cadre; ``references`` map a foreign-key
    field to the reference fact type (position, org_unit) whose facts travel with the subject.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    fact_type: ClassVar[str]
    key_field: ClassVar[str]
    subject_fields: ClassVar[tuple[str, ...]] = ("cadre_id",)
    references: ClassVar[dict[str, str]] = {}

    @property
    def key(self) -> str:
        """The natural key of this fact, unique within its type: ``type:id``."""
        return f"{self.fact_type}:{getattr(self, self.key_field)}"

    def subject_ids(self) -> list[str]:
        """The cadre ids this fact belongs to (a complaint may name several)."""
        ids: list[str] = []
        for name in self.subject_fields:
            value = getattr(self, name)
            if isinstance(value, list):
                ids.extend(str(v) for v in value)
            elif value is not None:
                ids.append(str(value))
        return ids

    @classmethod
    def pii_level(cls, field_name: str) -> Pii | None:
        extra = cls.model_fields[field_name].json_schema_extra
        if isinstance(extra, dict) and "pii" in extra:
            return Pii(str(extra["pii"]))
        return None
