"""The durable-rules backend: the compiler to its JSON (with the defect workarounds) and the adapter,
the only importer of ``durable_rules_engine``. Importing it registers its load-time rule check."""

from risk_warning.engine.durable.compile import check_rule, compile_rules
from risk_warning.rules.backends import register

__all__ = ["compile_rules"]

register("durable", check_rule)
