"""docs/rulesets.md, rendered from the shipped rulesets (a test keeps the file up to date).

    python -m risk_warning.rules.reference > docs/rulesets.md

It lists every shipped rule (id, title, family, grades, basis, params it reads) and every rule of the
catalogue (shared/domain/rules-catalogue.md) not shipped yet, with what it is waiting for.
"""

from __future__ import annotations

from collections.abc import Sequence

from risk_warning.rules.program import Ruleset

# The catalogue's 50 rules and its combination rules, by id: (family, name).
CATALOGUE: dict[str, str] = {
    "A1": "KEYPOST_TENURE_5Y", "A2": "LEADER_SAME_POST_10Y", "A3": "TERM_LIMITS", "A4": "EXIT_HANDOVER_AUDIT",
    "B1": "PMR_ANNUAL_LATE", "B2": "PMR_EVENT_30D", "B3": "PMR_OMISSION", "B4": "PMR_CONCEALMENT",
    "B5": "PMR_ASSET_GAP", "C1": "DOC_NOT_SURRENDERED", "C2": "DOC_RETURN_OVERDUE", "C3": "UNAPPROVED_TRAVEL",
    "C4": "NAKED_OFFICIAL", "D1": "AVOID_SAME_ORGAN", "D2": "AVOID_REGION", "D3": "RECUSAL_MISSING",
    "D4": "RELATIVE_BUSINESS_IN_JURISDICTION", "D5": "CONCURRENT_POST", "D6": "REVOLVING_DOOR_3Y",
    "E1": "SPLIT_TO_AVOID_TENDER", "E2": "BID_COLLUSION", "E3": "FEW_BIDDERS", "E4": "WINNER_CONCENTRATION",
    "E5": "RELATED_BIDDERS", "E6": "CHANGE_ORDERS_OVER_10PCT", "E7": "PAY_AHEAD_OF_PROGRESS",
    "E8": "EVALUATOR_CONFLICT", "F1": "RECEPTION_EXCESS", "F2": "EXPENSE_PATTERN", "F3": "VEHICLE_ANOMALY",
    "G1": "GIFT_NOT_REGISTERED", "G2": "BANQUET_UNFILED", "G3": "CREDIT_OR_LEGAL_FLAG",
    "H1": "COMPLAINT_CLUSTER", "H2": "COMPLAINT_DURING_PROMOTION", "H3": "INQUIRY_REPLY_OVERDUE",
    "I1": "IN_INFLUENCE_PERIOD", "I2": "NOT_CORRECTED_AFTER_FORM1", "J1": "HIGH_RISK_NO_EDU_12M",
    "J2": "NO_PRE_APPOINTMENT_TALK", "J3": "ORG_LIFE_ABSENCE", "J4": "ENGAGEMENT_DROP",
    "J5": "NO_FOLLOWUP_AFTER_TALK", "K1": "APPRAISAL_LOW", "K2": "DUAL_DIMENSION_GAP", "K3": "UNIT_FLAGS",
    "L1": "FOUR_MUSTS_MISSING", "L2": "PUBLICITY_SHORT", "L3": "SURGE_OR_OVERSTAFF",
    "M1": "AUDIT_RECTIFICATION_OVERDUE",
}  # fmt: skip

# The catalogue's combination rules (section 2), shipped as escalations where they are about one cadre.
COMBINATIONS: dict[str, str] = {
    "X1": "WEAK_SIGNAL_ACCUMULATION", "X2": "REPEATED_ORANGE", "X3": "POST_MULTIPLIER", "X4": "WEAK_SIGNAL_CAP",
    "X5": "UNIT_REPEAT", "X6": "LINKED_PERSONS", "X7": "UNIT_ACCOUNTABILITY", "X8": "CREDIT_NOT_ERASURE",
    "X9": "INTERVENTION_TRIGGERS",
}  # fmt: skip

# Why a catalogue rule is not shipped yet: the facts or partitions it needs.
WAITING: dict[str, str] = {}


def _grades(rs: Ruleset, rule_id: str) -> str:
    rule = rs.rule(rule_id)
    if rule.spec.adjust is not None:
        a = rule.spec.adjust
        parts = [
            f"+{a.raise_}" if a.raise_ else "",
            f"to {a.to.value}" if a.to else "",
            f"cap {a.cap.value}" if a.cap else "",
        ]
        return "raises: " + ", ".join(p for p in parts if p)
    return "/".join(level.grade.value for level in rule.levels)


def _params(rs: Ruleset, rule_id: str) -> list[str]:
    return [f"`{n}`={rs.params[n]}" for n in sorted(rs.params_read(rs.rule(rule_id)))]


def render_rulesets_reference(rulesets: Sequence[Ruleset]) -> str:
    lines = [
        "# Shipped rules",
        "",
        "Generated from `rulesets/` by `python -m risk_warning.rules.reference > docs/rulesets.md`.",
        "Grades are the levels a rule can raise; escalation rules that raise another alert say by how much.",
        "Every param can be changed in a site file (`docs/rule-language.md`).",
        "The subject says which partition a rule runs in: one cadre, or an org unit, project or contract",
        "(alerts about `unit:U01`, `project:P9`, `contract:HT-3`, routed to the owner unit).",
        "",
        "| id | catalogue | title | family | subject | grades | basis | params (default) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    shipped: set[str] = set()
    for rs in sorted(rulesets, key=lambda r: r.id):
        for rule in rs.rules:
            spec = rule.spec
            if spec.catalogue:
                shipped.add(spec.catalogue)
            cells = [
                f"`{rule.id}`",
                spec.catalogue or "",
                spec.title,
                spec.family,
                rs.spec.subject,
                _grades(rs, rule.id),
                spec.basis.replace("|", "/"),
                ", ".join(_params(rs, rule.id)),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    missing = [c for c in CATALOGUE if c not in shipped]
    if not missing:
        return "\n".join([*lines, "", f"Every one of the {len(CATALOGUE)} catalogue rules ships."])
    lines += [
        "",
        f"## Catalogue rules not shipped yet ({len(missing)} of {len(CATALOGUE)})",
        "",
        "| catalogue | name | waiting for |",
        "|---|---|---|",
    ]
    lines += [f"| {c} | {CATALOGUE[c]} | {WAITING.get(c, '')} |" for c in missing]
    return "\n".join(lines)


if __name__ == "__main__":
    from risk_warning.rules.loader import load_rulesets

    print(render_rulesets_reference(load_rulesets(["core"])))
