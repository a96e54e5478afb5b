"""From engine matches to alerts: the highest level per match is the grade; evidence, message, fingerprint.

A match is a set of bound facts. Matches with the same rule, subject and evidence keys are one alert
(the grade is the highest level that held), so the fingerprint is stable night after night while
the same condition persists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from risk_warning.alerts.education import education_context, recommended_education
from risk_warning.alerts.model import Alert, Evidence
from risk_warning.engine.base import Match
from risk_warning.facts._base import Fact, Pii
from risk_warning.facts.normalise import PlainFact, day_number, from_day_number
from risk_warning.facts.registry import FactSpec, specs_with
from risk_warning.privacy import mask_name
from risk_warning.rules import ast
from risk_warning.rules.program import Rule, Ruleset
from risk_warning.rules.template import render_template


def fingerprint(rule_id: str, subject: str, evidence_keys: Sequence[str]) -> str:
    text = "\x1f".join([rule_id, subject, *sorted(evidence_keys)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def used_fields(rule: Rule) -> dict[str, set[str]]:
    """Which fields of each alias the rule reads: the evidence worth showing."""
    used: dict[str, set[str]] = {p.alias: set() for p in rule.bound}
    exprs: list[tuple[str | None, ast.Expr]] = [(p.alias, p.where) for p in rule.patterns if p.where is not None]
    exprs += [(None, lv.condition) for lv in rule.levels if lv.condition is not None]
    for current, expr in exprs:
        for path in ast.paths(expr):
            if len(path.parts) == 1 and current in used and path.parts[0] != "as_of":
                used[current].add(path.parts[0])
            elif len(path.parts) == 2 and path.parts[0] in used:
                used[path.parts[0]].add(path.parts[1])
    return used


def _shown(spec: FactSpec | None, name: str, value: Any) -> Any:
    fld = spec.fields.get(name) if spec else None
    if fld is not None and fld.kind == "date" and isinstance(value, int):
        return from_day_number(value).isoformat()
    if fld is not None and fld.pii is Pii.MASK:
        return mask_name(str(value))
    return value


def build_alerts(
    matches: Sequence[Match],
    plain: Sequence[PlainFact],
    typed: Sequence[Fact],
    rulesets: Sequence[Ruleset],
    as_of: date,
) -> list[Alert]:
    rules: dict[str, tuple[Ruleset, Rule]] = {r.id: (rs, r) for rs in rulesets for r in rs.rules}
    specs = specs_with(i.spec() for rs in rulesets for i in rs.indicators.values())
    best: dict[str, tuple[Match, str]] = {}
    for m in sorted(matches):
        keys = [plain[i].key for _, i in m.bindings]
        fp = fingerprint(m.rule_id, m.subject, keys)
        if fp not in best or m.grade > best[fp][0].grade:
            best[fp] = (m, fp)
    if not best:
        return []
    context = education_context(typed, as_of)
    alerts = []
    for m, fp in best.values():
        rs, rule = rules[m.rule_id]
        fields_used = used_fields(rule)
        evidence = []
        bound: dict[str, tuple[FactSpec, Mapping[str, Any]]] = {}
        for alias, index in m.bindings:
            fact = plain[index]
            spec = specs.get(fact.type)
            bound[alias] = (spec, fact.fields) if spec else (FactSpec(fact.type, {}), fact.fields)
            shown = {k: _shown(spec, k, fact.fields[k]) for k in sorted(fields_used.get(alias, ())) if k in fact.fields}
            approximate = sorted(fact.month_only & set(shown))
            evidence.append(
                Evidence(alias=alias, fact_type=fact.type, key=fact.key, fields=shown, month_only=approximate)
            )
        message = render_template(rule.spec.message, bound, rs.params, day_number(as_of), m.subject)
        alerts.append(
            Alert(
                fingerprint=fp,
                rule_id=rule.id,
                ruleset_id=rs.id,
                ruleset_version=rs.spec.version,
                ruleset_hash=rs.content_hash,
                subject_id=m.subject,
                grade=m.grade,
                score=m.grade.score,
                family=rule.spec.family,
                title=rule.spec.title,
                message=message,
                basis=rule.spec.basis,
                disposition=rule.spec.disposition,
                recommended_education=recommended_education(rule.spec.family, rule.spec.education),
                evidence=evidence,
                params={k: (v.isoformat() if isinstance(v, date) else v) for k, v in rs.params.items()},
                as_of=as_of,
                education=context,
            )
        )
    return sorted(alerts, key=Alert.sort_key)
