"""Indicators: per-subject aggregates over windows, computed before the engine."""

from risk_warning.indicators.compute import indicator_facts, indicator_value

__all__ = ["indicator_facts", "indicator_value"]
