"""Typed facts (pydantic) about cadres and their integrity record, and the registry by type name."""

from risk_warning.facts._base import Fact, Pii
from risk_warning.facts.normalise import normalise
from risk_warning.facts.registry import FACT_MODELS, FACT_SPECS, FactSpec, FieldSpec, fact_model

__all__ = ["FACT_MODELS", "FACT_SPECS", "Fact", "FactSpec", "FieldSpec", "Pii", "fact_model", "normalise"]
