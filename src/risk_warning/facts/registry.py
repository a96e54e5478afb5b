"""Fact types by name, and a description of each field that the rule type-checker uses."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from risk_warning.facts._base import Fact, Pii
from risk_warning.facts.conduct import (
    BanquetFiling,
    ExpenseClaim,
    FuelCardTxn,
    GiftRegistration,
    OrgLifeAttendance,
    ReceptionRecord,
    VehicleStop,
    VolunteerActivity,
)
from risk_warning.facts.history import EducationAssignment, Signal, Watch
from risk_warning.facts.integrity import (
    AuditFinding,
    BorderCrossing,
    Complaint,
    CustodyEvent,
    EducationRecord,
    Intervention,
    LifeEvent,
    NegativeListHit,
    PersonalMattersReport,
    PmrAsset,
    PmrVerification,
    TravelApplication,
    TravelDocument,
)
from risk_warning.facts.personnel import (
    Appointment,
    AppraisalResult,
    Cadre,
    DisciplinaryAction,
    EconomicAudit,
    Handover,
    OrgChange,
    OrgUnit,
    Position,
    PostQuota,
    RotationPlan,
    SelectionProcess,
    UnitAppraisal,
)
from risk_warning.facts.procurement import AgencyStaff, Bid, Contract, ContractChange, Payment, ProcurementEvent
from risk_warning.facts.relations import (
    CreditFlag,
    DecisionParticipation,
    Enterprise,
    EnterpriseRole,
    InterestDeclaration,
    Relative,
    StaffKinship,
)

ValueKind = Literal["str", "int", "float", "bool", "date", "list"]


@dataclass(frozen=True)
class FieldSpec:
    """What a rule may know about one field: its kind, whether it may be empty, its allowed values."""

    name: str
    kind: ValueKind
    nullable: bool
    choices: tuple[str, ...] = ()
    pii: Pii | None = None


@dataclass(frozen=True)
class FactSpec:
    """A fact type as the rules see it."""

    name: str
    fields: Mapping[str, FieldSpec]
    model: type[Fact] | None = None
    source: str | None = None  # for an indicator: the fact type it aggregates


def _kind_of(annotation: Any) -> tuple[ValueKind, bool, tuple[str, ...]]:
    nullable = False
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        nullable = len(non_none) < len(args)
        annotation = non_none[0]
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
    if origin is typing.Annotated:  # an optional bounded type (``Int64 | None``) keeps its bounds inside
        annotation = args[0]
    if origin is Literal:
        return "str", nullable, tuple(str(a) for a in args)
    if origin is list:
        return "list", nullable, ()
    simple: dict[Any, ValueKind] = {str: "str", int: "int", float: "float", bool: "bool", date: "date"}
    if annotation in simple:
        return simple[annotation], nullable, ()
    raise TypeError(f"unsupported field annotation {annotation!r}")


def spec_of(model: type[Fact]) -> FactSpec:
    fields: dict[str, FieldSpec] = {}
    for name, info in model.model_fields.items():
        kind, nullable, choices = _kind_of(info.annotation)
        fields[name] = FieldSpec(name, kind, nullable, choices, model.pii_level(name))
    return FactSpec(model.fact_type, fields, model)


FACT_MODELS: dict[str, type[Fact]] = {
    m.fact_type: m
    for m in (
        Cadre,
        OrgUnit,
        Position,
        Appointment,
        RotationPlan,
        SelectionProcess,
        AppraisalResult,
        DisciplinaryAction,
        EducationRecord,
        Intervention,
        Complaint,
        PersonalMattersReport,
        TravelDocument,
        CustodyEvent,
        ExpenseClaim,
        FuelCardTxn,
        VehicleStop,
        OrgLifeAttendance,
        PmrVerification,
        NegativeListHit,
        AuditFinding,
        Handover,
        EconomicAudit,
        UnitAppraisal,
        OrgChange,
        PostQuota,
        PmrAsset,
        LifeEvent,
        BorderCrossing,
        TravelApplication,
        Relative,
        Enterprise,
        EnterpriseRole,
        DecisionParticipation,
        InterestDeclaration,
        StaffKinship,
        CreditFlag,
        ReceptionRecord,
        GiftRegistration,
        BanquetFiling,
        VolunteerActivity,
        ProcurementEvent,
        AgencyStaff,
        Bid,
        Contract,
        ContractChange,
        Payment,
        Signal,
        Watch,
        EducationAssignment,
    )
}

STORE_OWNED = frozenset(name for name, model in FACT_MODELS.items() if model.store_owned)  # never from a source

FACT_SPECS: dict[str, FactSpec] = {name: spec_of(model) for name, model in FACT_MODELS.items()}

# Names the engine reserves on every posted fact; no fact model may use them.
RESERVED_FIELDS = frozenset({"id", "sid", "_t", "_n", "_one"})


def specs_with(extra: Iterable[FactSpec]) -> dict[str, FactSpec]:
    """Every fact type's spec plus ``extra`` ones (a ruleset's indicators), by name: the one spec merge."""
    return {**FACT_SPECS, **{spec.name: spec for spec in extra}}


def fact_model(name: str) -> type[Fact]:
    return FACT_MODELS[name]


def known_types(extra: Iterable[str] = ()) -> list[str]:
    return sorted([*FACT_MODELS, *extra])


def _check_registry() -> None:
    for spec in FACT_SPECS.values():
        clash = RESERVED_FIELDS & set(spec.fields)
        if clash:
            raise TypeError(f"fact type {spec.name} uses reserved field names {sorted(clash)}")
        if len(spec.fields) > 200:  # the engine refuses facts with more than 252 properties
            raise TypeError(f"fact type {spec.name} has too many fields for the engine")


_check_registry()
