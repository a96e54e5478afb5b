"""The base of every fact model: a type name, a natural key, the subject it belongs to, PII marks."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, model_validator

from risk_warning.privacy import token

# The kinds of subject an alert can be about. A cadre's id is the subject id as it is; the others are
# prefixed with their kind (``unit:U01``, ``project:P9``, ``contract:HT-3``).
SUBJECT_KINDS = ("cadre", "unit", "project", "contract")


# A whole number a fact may hold: what a column of 64-bit integers (Polars, Arrow, SQL BIGINT) can store.
# Python's int has no bound, so without one a 20-digit cell in a count column validated and then broke
# the first frame built from the facts; with it the record is quarantined, "less than or equal to ...".
Int64 = Annotated[int, annotated_types.Ge(-(2**63)), annotated_types.Le(2**63 - 1)]


@dataclass(frozen=True)
class Link:
    """How a subject reaches a fact it does not own, through one of its own facts (the person graph).

    A fact is *linked* into the partition of every subject of ``kind`` that owns a ``holder`` fact whose
    ``holder_field`` equals this fact's ``field`` (either side may be a list: any common value links):
    ``Link("cadre", "bidder_credit_code", "relative", "employer_credit_code")`` puts a bid in the partition
    of every cadre with a relative at the bidder. ``field`` may read through a foreign key as partitions do
    (``contract_id>contract.counterparty_credit_code``: a payment, by its contract's counterparty), and
    the holder may be a type linked by an earlier link (a tender the cadre is responsible for, then that
    tender's bids). A linked fact is never owned by a subject of ``kind``: only the holder's own subject
    is linked to it, so one cadre's facts never reach another cadre's partition.
    """

    kind: str
    field: str
    holder: str
    holder_field: str


def subject_id(kind: str, value: str) -> str:
    return value if kind == "cadre" else f"{kind}:{value}"


def subject_kind(subject: str) -> str:
    """The kind of subject an id names: the prefix before ':' if it is a kind, otherwise a cadre."""
    prefix, sep, _ = subject.partition(":")
    return prefix if sep and prefix in SUBJECT_KINDS[1:] else "cadre"


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
    ``partitions`` put the fact in the partitions of other subject kinds (see ``SUBJECT_KINDS``): each
    kind maps to the field holding that subject's id, or to ``fk>type.field`` to read it from the fact
    the foreign key points to (an appointment belongs to the unit of its post:
    ``position_id>position.org_unit_id``).
    """

    # an unknown field is an error, never dropped: a misspelt end_dat made every appointment look current
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    fact_type: ClassVar[str]
    key_field: ClassVar[str]
    subject_fields: ClassVar[tuple[str, ...]] = ("cadre_id",)
    references: ClassVar[dict[str, str]] = {}
    partitions: ClassVar[dict[str, str]] = {}
    links: ClassVar[tuple[Link, ...]] = ()  # partitions it is linked into through another fact (``Link``)
    tokens: ClassVar[dict[str, str]] = {}  # a sensitive field -> the field that holds its token
    # references that must resolve whenever their target type is in the export (a post an appointment names);
    # others may point outside it (an enterprise registry is never complete)
    strict_references: ClassVar[tuple[str, ...]] = ()
    # kept by the alert store (alerts as signals, watches, education assignments): never read from an export,
    # where a forged file would make history (sources/directory.py refuses it; so does a mapping file)
    store_owned: ClassVar[bool] = False

    def mark_month_only(self, fields: frozenset[str]) -> None:
        """Note the dates the export gave to the month only (2019.03, read as the 1st) for the evidence.

        Not a field, so it never reaches the engine or the fact hash. It rides in pydantic's private-state
        slot, which travels with copies and pickles; declaring a PrivateAttr instead would cost every fact
        an initialisation (measured: 4 s of a 30 s load of 312k records), for a mark few facts carry.
        """
        object.__setattr__(self, "__pydantic_private__", {"month_only": fields})

    @property
    def month_only(self) -> frozenset[str]:
        private = self.__pydantic_private__
        return private.get("month_only", frozenset()) if private else frozenset()

    @model_validator(mode="before")
    @classmethod
    def _tokenise(cls, data: Any) -> Any:
        """Fill each token field from its sensitive field (``privacy.token``), unless a token was given."""
        if cls.tokens and isinstance(data, dict):
            data = dict(data)
            for raw, tok in cls.tokens.items():
                value = data.get(raw)
                if value not in (None, "") and not data.get(tok):
                    data[tok] = token(str(value))
        return data

    @property
    def key(self) -> str:
        """The natural key of this fact, unique within its type: ``type:id``."""
        return f"{self.fact_type}:{getattr(self, self.key_field)}"

    @classmethod
    def subject_kinds(cls) -> tuple[str, ...]:
        """The kinds of subject whose partitions hold this fact; none for a reference fact."""
        return (("cadre",) if cls.subject_fields else ()) + tuple(cls.partitions)

    @classmethod
    def visible_kinds(cls) -> tuple[str, ...]:
        """The kinds of subject whose partitions can hold this fact: its own, then those it is linked into."""
        own = cls.subject_kinds()
        return own + tuple(dict.fromkeys(link.kind for link in cls.links if link.kind not in own))

    def subject_ids(self) -> list[str]:
        """The cadre ids this fact belongs to (a complaint may name several).

        Subjects of other kinds, read directly from a field, follow as ``kind:id``; those read through a
        foreign key are resolved by ``partition_facts``.
        """
        ids: list[str] = []
        for name in self.subject_fields:
            value = getattr(self, name)
            if isinstance(value, list):
                ids.extend(str(v) for v in value)
            elif value is not None:
                ids.append(str(value))
        for kind, where in self.partitions.items():
            value = None if ">" in where else getattr(self, where)
            if value is not None:
                ids.append(subject_id(kind, str(value)))
        return ids

    @classmethod
    def pii_level(cls, field_name: str) -> Pii | None:
        extra = cls.model_fields[field_name].json_schema_extra
        if isinstance(extra, dict) and "pii" in extra:
            return Pii(str(extra["pii"]))
        return None
