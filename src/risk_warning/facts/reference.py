"""docs/facts.md, rendered from the fact models themselves (a test keeps the file up to date)."""

from __future__ import annotations

from risk_warning.facts.glossary import meaning
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
        "Personal data: **sensitive** fields (ID numbers, phones, accounts, addresses) never reach the rules or any",
        "output; where rules must compare them, a `*_token` field holds a keyed hash (`RW_TOKEN_KEY`). Personal",
        "fields are shown masked wherever they appear.",
        "",
        "Partitions: a type is evaluated with the subjects it belongs to (a cadre, or `unit:`, `project:`,",
        "`contract:`); a reference type (post, unit, enterprise) travels with the facts that point to it.",
        "",
        "Kept by the alert store: `signal`, `watch` and `education_assignment` are the store's own history, given",
        "to the rules by the store; a file of one in an export is skipped with reason `store-owned` (it would",
        "forge alert history), and a mapping file that names one is refused.",
        "",
    ]
    for name, model in FACT_MODELS.items():
        spec = FACT_SPECS[name]
        doc = (model.__doc__ or "").strip().splitlines()[0]
        kinds = model.subject_kinds()
        where = "subjects: " + ", ".join(kinds) if kinds else "reference type"
        if model.links:
            ways = [f"{ln.kind} partitions by `{ln.field}` = `{ln.holder}.{ln.holder_field}`" for ln in model.links]
            where += "; linked into " + ", ".join(ways)
        if model.store_owned:
            where += "; kept by the alert store, never read from an export"
        lines += [f"## `{name}`", "", doc, "", f"Key: `{model.key_field}`; {where}.", ""]
        lines += [
            "| field | 含义 | meaning | type | required | values | personal data |",
            "|---|---|---|---|---|---|---|",
        ]
        for field_name, fld in spec.fields.items():
            info = model.model_fields[field_name]
            required = "yes" if info.is_required() else ""
            kind = fld.kind + ("?" if fld.nullable else "")
            values = ", ".join(fld.choices)
            pii = _PII.get(fld.pii.value, "") if fld.pii else ""
            zh, en = meaning(name, field_name) or ("", "")
            lines.append(f"| `{field_name}` | {zh} | {en} | {kind} | {required} | {values} | {pii} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_facts_reference())
