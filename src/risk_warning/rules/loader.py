"""Load ruleset files: YAML -> typed spec -> parsed and type-checked program, with every error located.

The file's shape is validated here rule by rule (one bad rule does not hide the others); the parts
are checked in ``check.py`` and ``check_tests.py``, located by ``diagnostics.py``; site files are
``overrides.py``.

``load_ruleset(path)`` returns a ``Ruleset`` or raises ``RulesetError`` carrying every diagnostic of
the file at once (``collect=True``, the default), or stops at the first (``collect=False``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from pathlib import Path

import pydantic

from risk_warning.bundled import rules_path
from risk_warning.errors import Diagnostic, Reason, RulesetError, SourceLocation
from risk_warning.facts.registry import FACT_SPECS, FactSpec
from risk_warning.rules.calendar_file import load_calendar
from risk_warning.rules.check import (
    check_date_ranges,
    check_indicators,
    check_rule_spec,
    param_values,
    partial_rule,
    trial_compile,
)
from risk_warning.rules.check_tests import check_tests
from risk_warning.rules.diagnostics import Collector, pydantic_diagnostics
from risk_warning.rules.expectations import is_expectation_file
from risk_warning.rules.model import ParamSpec, RulesetSpec, RuleSpec
from risk_warning.rules.overrides import apply_overrides, is_site_file
from risk_warning.rules.param_choices import enumerated_params, outside_choices
from risk_warning.rules.program import Rule, Ruleset
from risk_warning.rules.textfile import read_text
from risk_warning.rules.typecheck import Type, param_type
from risk_warning.rules.yamlsrc import SourceMap, load_yaml

MAX_RULES_PER_FILE = 500  # the shipped rulesets hold 73 rules in 16 files

__all__ = ["apply_overrides", "load_ruleset", "load_rulesets", "parse_ruleset", "ruleset_files"]


def parse_ruleset(text: str, path: str, *, collect: bool = True) -> Ruleset:
    """Load one ruleset from its text; ``path`` is only used in locations."""
    loaded = load_yaml(text, path)
    if isinstance(loaded, Diagnostic):
        raise RulesetError([loaded])
    data, smap = loaded
    out = Collector(smap, collect)
    if not isinstance(data, dict):
        out.at((), Reason.SCHEMA, "a ruleset file is a mapping with ruleset:, title:, version:, rules:")
        raise RulesetError(out.items)
    # Validate the header and each rule separately, so one bad rule does not hide the others' problems.
    raw_rules = data.get("rules")
    if isinstance(raw_rules, list) and len(raw_rules) > MAX_RULES_PER_FILE:
        message = f"{len(raw_rules):,} rules in one file; the limit is {MAX_RULES_PER_FILE:,}"
        out.at(("rules", MAX_RULES_PER_FILE), Reason.LIMIT, message, "split the ruleset into several files")
        raise RulesetError(out.items)
    good_rules: list[RuleSpec] = []
    positions: list[int] = []  # the index in the file of each rule that passed schema validation
    partial: list[tuple[int, RuleSpec | None]] = []
    if isinstance(raw_rules, list):
        for index, raw in enumerate(raw_rules):
            try:
                good_rules.append(RuleSpec.model_validate(raw))
                positions.append(index)  # where it is in the file, whatever its id became once validated
            except pydantic.ValidationError as exc:
                pydantic_diagnostics(exc, data, out, ("rules", index))
                partial.append((index, partial_rule(raw)))
    try:
        spec = RulesetSpec.model_validate({**data, "rules": []} if isinstance(raw_rules, list) else data)
    except pydantic.ValidationError as exc:
        pydantic_diagnostics(exc, data, out)
        raise RulesetError(out.items) from None
    spec = spec.model_copy(update={"rules": good_rules})
    params = param_values(spec, out)
    param_types: dict[str, Type] = {k: param_type(v) for k, v in params.items()}
    indicators = check_indicators(spec, param_types, out)
    types: dict[str, FactSpec] = {**FACT_SPECS, **{n: i.spec() for n, i in indicators.items()}}
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    rule_ids = {r.id for r in spec.rules}
    for rule_spec, index in zip(spec.rules, positions, strict=True):
        if rule_spec.id in seen:
            out.at(
                ("rules", index, "id"),
                Reason.DUPLICATE_ID,
                f"rule id '{rule_spec.id}' is used twice",
                "",
                rule_spec.id,
            )
        seen[rule_spec.id] = index
        rule = check_rule_spec(rule_spec, index, spec.ruleset, types, param_types, out, spec.subject)
        check_tests(rule_spec, index, rule_ids, types, out)
        if rule is not None:
            rules.append(rule)
    if not out.items:  # before the backends compile (and fold) the rules: a failing computation is located here
        check_date_ranges(rules, params, positions, out)
    if not out.items:
        trial_compile(rules, params, types, positions, out)
    for bad in outside_choices(enumerated_params(rules, indicators), params):
        given = spec.params[bad.param]
        default = ("default",) if isinstance(given, ParamSpec) else ()
        out.at(("params", bad.param, *default, bad.position), Reason.BAD_VALUE, bad.message, bad.hint)
    for index, maybe in partial:  # still check the expressions of rules whose shape was wrong
        if maybe is not None:
            check_rule_spec(maybe, index, spec.ruleset, types, param_types, out, spec.subject)
    if out.items:
        raise RulesetError(sorted(out.items, key=lambda d: (d.location.line, d.location.col)))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Ruleset(spec, path, params, indicators, tuple(rules), digest)


def load_ruleset(path: str | Path, *, collect: bool = True) -> Ruleset:
    p = Path(path)
    return parse_ruleset(read_text(p), str(p), collect=collect)


def ruleset_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every *.yaml/*.yml file under the given files and directories (or shipped rulesets, by name), in a
    stable order, but the backtest expectation files that sit beside rulesets (*.expect.yaml)."""
    files: list[Path] = []
    for p in map(rules_path, paths):  # `core`: the shipped rulesets, unless a path of that name exists
        if p.is_dir():
            found = (q for q in p.rglob("*") if q.suffix in (".yaml", ".yml") and not is_expectation_file(q))
            files.extend(sorted(found))
        else:
            files.append(p)
    return files


def load_rulesets(
    paths: Iterable[str | Path], *, overrides: str | Path | None = None, calendar: str | Path | None = None
) -> list[Ruleset]:
    """Load every ruleset under ``paths``; raise one RulesetError with the diagnostics of all files.
    ``overrides``: a site override file; ``calendar``: a site calendar file (rules/calendar_file.py) that
    extends and corrects the working-day calendar every ruleset's functions use."""
    rulesets: list[Ruleset] = []
    problems: list[Diagnostic] = []
    for f in ruleset_files(paths):
        if is_site_file(f):  # loaded or refused, never skipped in silence
            message = "this is a site override file (params: and rules: overrides, no ruleset:), not a ruleset"
            hint = "pass it with --site, and keep it out of the rules directories"
            problems.append(Diagnostic(SourceLocation(str(f), 1, 1), Reason.SCHEMA, message, hint))
            continue
        if is_expectation_file(f):
            message = "this is a backtest expectation file (*.expect.yaml), not a ruleset"
            problems.append(Diagnostic(SourceLocation(str(f), 1, 1), Reason.SCHEMA, message, "pass it with --expect"))
            continue
        try:
            rulesets.append(load_ruleset(f))
        except RulesetError as exc:
            problems.extend(exc.diagnostics)
    ids: dict[str, str] = {}
    for rs in rulesets:
        if rs.id in ids:
            problems.append(
                Diagnostic(
                    SourceMap(rs.path).at(("ruleset",)),
                    Reason.DUPLICATE_ID,
                    f"ruleset id '{rs.id}' is also used by {ids[rs.id]}",
                    "rename one",
                )
            )
        ids[rs.id] = rs.path
    if problems:
        raise RulesetError(problems)
    if overrides is not None:
        rulesets = apply_overrides(rulesets, Path(overrides))
    if calendar is not None:
        days = load_calendar(calendar)
        rulesets = [dataclasses.replace(rs, calendar=days) for rs in rulesets]
    return rulesets
