"""Site override files: a site's own params and rule statuses or grades over the shipped rulesets."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pydantic

from risk_warning.errors import Diagnostic, Reason, RulesetError, did_you_mean
from risk_warning.rules.check_tests import check_facts
from risk_warning.rules.diagnostics import Collector, load_model_file
from risk_warning.rules.model import ParamSpec, RuleOverride, RuleTest, SiteOverrides
from risk_warning.rules.param_choices import enumerated_params, outside_choices
from risk_warning.rules.program import Level, Ruleset
from risk_warning.rules.textfile import read_text
from risk_warning.rules.typecheck import param_type
from risk_warning.rules.yamlsrc import Loc, load_yaml


def is_site_file(path: Path) -> bool:
    """A site override file (params: or rules: as mappings, no ruleset:); unreadable files are not."""
    try:
        loaded = load_yaml(read_text(path), str(path))
    except RulesetError:
        return False  # load_ruleset reports it
    if isinstance(loaded, Diagnostic) or not isinstance(loaded[0], dict):
        return False
    data = loaded[0]
    return "ruleset" not in data and (isinstance(data.get("rules"), dict) or isinstance(data.get("params"), dict))


# The keys a site file allows, at each depth (for "unknown key" and its hint)
SITE_KEYS: dict[tuple[str, ...], type[pydantic.BaseModel]] = {(): SiteOverrides, ("rules", "*"): RuleOverride}


def _declared_int(rs: Ruleset, name: str) -> bool:
    declared = rs.spec.params.get(name)
    if isinstance(declared, ParamSpec):
        return declared.type == "int"
    return isinstance(declared, int) and not isinstance(declared, bool)


def apply_overrides(rulesets: Sequence[Ruleset], path: Path) -> list[Ruleset]:
    """Apply a site file: ``params: {ruleset.param: value}``, ``rules: {rule_id: {status, grade}}``."""
    site, smap, out = load_model_file(path, SiteOverrides, SITE_KEYS)
    by_id = {rs.id: rs for rs in rulesets}
    new_params: dict[str, dict[str, Any]] = {rs.id: dict(rs.params) for rs in rulesets}
    for key, value in site.params.items():
        rs_id, _, name = key.rpartition(".")
        rs = by_id.get(rs_id)
        if rs is None or name not in rs.params:
            candidates = [f"{r.id}.{p}" for r in rulesets for p in r.params]
            out.add(
                Diagnostic(
                    smap.at(("params", key), key=True),
                    Reason.UNKNOWN_NAME,
                    f"unknown param '{key}'",
                    did_you_mean(key, candidates) or "write ruleset_id.param",
                    "",
                )
            )
            continue
        given, wanted = param_type(value), param_type(rs.params[name])
        if given != wanted and not (given == "list" and wanted.startswith("list")):  # an empty list fits any list
            out.at(("params", key), Reason.TYPE_MISMATCH, f"{key} must be a {wanted}, not a {given}")
        elif _declared_int(rs, name) and not (isinstance(value, int) and not isinstance(value, bool)):
            # 3.5 for an int: the rule would run with 3 while the alert said 3.5
            out.at(("params", key), Reason.TYPE_MISMATCH, f"{key} must be a whole number, not {value}")
        new_params[rs_id][name] = value
    for rs in rulesets:
        for bad in outside_choices(enumerated_params(rs.rules, rs.indicators), new_params[rs.id]):
            key = f"{rs.id}.{bad.param}"
            if key in site.params:  # a shipped default is checked where it is written
                out.at(("params", key, bad.position), Reason.BAD_VALUE, bad.message, bad.hint)
    rule_overrides: dict[str, RuleOverride] = dict(site.rules)
    all_ids = {r.id for rs in rulesets for r in rs.rules}
    for rule_id in rule_overrides:
        if rule_id not in all_ids:
            out.add(
                Diagnostic(
                    smap.at(("rules", rule_id), key=True),
                    Reason.UNKNOWN_NAME,
                    f"unknown rule '{rule_id}'",
                    did_you_mean(rule_id, all_ids),
                    rule_id,
                )
            )
    _check_site_tests(site, all_ids, out)
    if out.items:
        raise RulesetError(sorted(out.items, key=lambda d: (d.location.line, d.location.col)))
    result = []
    for rs in rulesets:
        rules = []
        for r in rs.rules:
            o = rule_overrides.get(r.id)
            if o is not None and o.status is not None:
                r = dataclasses.replace(r, enabled=o.status != "disabled")
            if o is not None and o.grade is not None:
                r = dataclasses.replace(r, levels=tuple(Level(o.grade, lv.condition) for lv in r.levels))
            rules.append(r)
        digest = hashlib.sha256((rs.content_hash + read_text(path, "site file")).encode()).hexdigest()
        changed = frozenset(n for n, v in new_params[rs.id].items() if v != rs.params[n])
        result.append(
            dataclasses.replace(
                rs,
                params=new_params[rs.id],
                rules=tuple(rules),
                content_hash=digest,
                site_changed=changed,
                site=str(path),
                site_grades={r: o.grade for r, o in rule_overrides.items() if o.grade is not None},
            )
        )
    return result


def site_tests(path: Path) -> list[RuleTest]:
    """The tests a site file carries (``apply_overrides`` has checked the file)."""
    loaded = load_yaml(read_text(path, "site file"), str(path))
    if isinstance(loaded, Diagnostic):
        raise RulesetError([loaded])
    return SiteOverrides.model_validate(loaded[0] or {}).tests


def _check_site_tests(site: SiteOverrides, all_ids: set[str], out: Collector) -> None:
    """Each expectation of a site test names a rule that exists; each fact is a valid record."""
    for t_index, test in enumerate(site.tests):
        tloc: Loc = ("tests", t_index)
        for e_index, exp in enumerate(test.expect):
            if exp.rule is None:
                hint = "a site test runs every rule: write rule: <rule id> in each expectation"
                out.at((*tloc, "expect", e_index), Reason.SCHEMA, "this expectation names no rule", hint)
            elif exp.rule not in all_ids:
                out.at(
                    (*tloc, "expect", e_index, "rule"),
                    Reason.UNKNOWN_NAME,
                    f"unknown rule '{exp.rule}'",
                    did_you_mean(exp.rule, all_ids),
                )
        check_facts(test.facts, tloc, out)
