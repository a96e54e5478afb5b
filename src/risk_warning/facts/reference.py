"""docs/facts.md, rendered from the fact models themselves (a test keeps the file up to date)."""

from __future__ import annotations

from risk_warning.facts.registry import FACT_MODELS, FACT_SPECS

_PII = {"high": "**sensitive**: never given to rules or shown", "mask": "personal: shown masked"}


def render_facts_reference() -> str:
    lines = [
        "# Fact types",
        "",
        "Generated from `src/risk_warning/facts/` by `python -m risk_warning.facts.reference > docs/facts.md`.",
        "One file per type in a data directory (`appointment.csv`, `cadre.jsonl`, ...). An empty cell is an",
        "empty field; list fields take `a;b` in CSV. Dates are `YYYY-MM-DD`.",
        "",
    ]
    for name, model in FACT_MODELS.items():
        spec = FACT_SPECS[name]
        doc = (model.__doc__ or "").strip().splitlines()[0]
        lines += [f"## `{name}`", "", doc, "", f"Key: `{model.key_field}`.", ""]
        lines += ["| field | type | required | values | personal data |", "|---|---|---|---|---|"]
        for field_name, fld in spec.fields.items():
            info = model.model_fields[field_name]
            required = "yes" if info.is_required() else ""
            kind = fld.kind + ("?" if fld.nullable else "")
            values = ", ".join(fld.choices)
            pii = _PII.get(fld.pii.value, "") if fld.pii else ""
            lines.append(f"| `{field_name}` | {kind} | {required} | {values} | {pii} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_facts_reference())
