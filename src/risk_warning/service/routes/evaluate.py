"""Evaluate: facts in (the library's own fact models, as JSON), alerts out, as of a date; no store touched.

The embedding API over HTTP, for an HR system that cannot import Python: the body names each fact type
with a list of its records (``{"as_of": "2026-06-30", "facts": {"cadre": [...], "appointment": [...]}}``),
validated by the same pydantic models the CSV and XLSX readers fill; the answer is what
``Engine(rulesets).evaluate(facts, as_of)`` returns. An unknown fact type or field is a 422 naming it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, create_model

from risk_warning.alerts.model import Alert
from risk_warning.facts import FACT_MODELS, Fact
from risk_warning.rules.date_ranges import AS_OF_RANGE
from risk_warning.service.state import Caller, ServiceState

router = APIRouter(tags=["evaluate"])


def _described(model: type[Fact]) -> Any:
    return Field(default_factory=list, description=(model.__doc__ or model.fact_type).strip().splitlines()[0])


_fields: dict[str, Any] = {name: (list[model], _described(model)) for name, model in sorted(FACT_MODELS.items())}  # type: ignore[valid-type]
Facts = create_model("Facts", __config__=ConfigDict(extra="forbid"), **_fields)


class EvaluateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: date = Field(ge=AS_OF_RANGE[0], le=AS_OF_RANGE[1], description="The day to evaluate as of")
    facts: Facts


class EvaluateOut(BaseModel):
    as_of: date
    alerts: list[Alert]


@router.post("/evaluate", response_model=EvaluateOut, summary="Evaluate facts as of a date (no store)")
def evaluate(asked: EvaluateIn, caller: Caller, service: ServiceState) -> EvaluateOut:
    facts: list[Fact] = [fact for name in FACT_MODELS for fact in getattr(asked.facts, name)]
    alerts = service.engine().evaluate(facts, asked.as_of)
    return EvaluateOut(as_of=asked.as_of, alerts=alerts)
