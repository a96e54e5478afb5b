"""Safe message templates: ``{alias.field}``, ``{params.x}``, ``{as_of}``, ``{subject}``; nothing else.

No format specs, no attribute walks, no calls. Dates render as YYYY-MM-DD; fields marked as
personal data (names) render masked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from risk_warning.errors import did_you_mean
from risk_warning.facts.normalise import from_day_number
from risk_warning.facts.registry import FactSpec
from risk_warning.privacy import mask_name

_SLOT = re.compile(r"\{([^{}]*)\}")


def check_template(text: str, bindings: Mapping[str, FactSpec], params: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Problems in a template as (message, offset)."""
    problems: list[tuple[str, int]] = []
    for m in _SLOT.finditer(text):
        name = m.group(1).strip()
        parts = name.split(".")
        if name in ("as_of", "subject"):
            continue
        if len(parts) == 2 and parts[0] == "params":
            if parts[1] not in params:
                problems.append((f"unknown param '{parts[1]}' {did_you_mean(parts[1], params)}".strip(), m.start()))
            continue
        if len(parts) != 2:
            problems.append((f"'{{{name}}}' is not a field: write {{alias.field}}", m.start()))
            continue
        spec = bindings.get(parts[0])
        if spec is not None and spec.name == "<unresolved>":  # its pattern's type is already reported
            continue
        if spec is None:
            problems.append((f"'{parts[0]}' is not bound {did_you_mean(parts[0], bindings)}".strip(), m.start()))
        elif parts[1] not in spec.fields:
            problems.append(
                (
                    f"{spec.name} has no field '{parts[1]}' {did_you_mean(parts[1], spec.fields)}".strip(),
                    m.start(),
                )
            )
        elif spec.fields[parts[1]].pii is not None and spec.fields[parts[1]].pii.value == "high":  # type: ignore[union-attr]
            problems.append((f"{spec.name}.{parts[1]} is sensitive personal data", m.start()))
    return problems


def render_template(
    text: str,
    bindings: Mapping[str, tuple[FactSpec, Mapping[str, Any]]],
    params: Mapping[str, Any],
    as_of: int,
    subject: str,
) -> str:
    """Fill a checked template with values of the matched facts."""

    def show(spec: FactSpec | None, field: str, value: Any) -> str:
        if value is None:
            return "(空)"
        fld = spec.fields.get(field) if spec else None
        if fld is not None and fld.kind == "date" and isinstance(value, int):
            return from_day_number(value).isoformat()
        if fld is not None and fld.pii is not None:
            return mask_name(str(value))
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def fill(m: re.Match[str]) -> str:
        name = m.group(1).strip()
        if name == "as_of":
            return from_day_number(as_of).isoformat()
        if name == "subject":
            return subject
        alias, _, field = name.partition(".")
        if alias == "params":
            value = params.get(field)
            return str(value.isoformat()) if isinstance(value, date) else str(value)
        spec, values = bindings.get(alias, (None, {}))
        return show(spec, field, values.get(field))

    return _SLOT.sub(fill, text)
