"""Check the tests a rule carries: their facts are valid records of known types, their expectations
name rules of the file."""

from __future__ import annotations

from typing import Any

from risk_warning.errors import Diagnostic, Reason, did_you_mean
from risk_warning.facts.records import validate_record
from risk_warning.facts.registry import FACT_SPECS, FactSpec
from risk_warning.privacy import ephemeral_token_key
from risk_warning.rules.diagnostics import Collector
from risk_warning.rules.model import RuleSpec
from risk_warning.rules.yamlsrc import Loc


def check_tests(spec: RuleSpec, index: int, rule_ids: set[str], types: dict[str, FactSpec], out: Collector) -> None:
    """A rule's tests: their facts (``check_facts``) and the rules their expectations name."""
    for t_index, test in enumerate(spec.tests):
        tloc: Loc = ("rules", index, "tests", t_index)
        check_facts(test.facts, tloc, out, spec.id)
        for e_index, exp in enumerate(test.expect):
            if exp.rule is not None and exp.rule not in rule_ids:
                hint = did_you_mean(exp.rule, rule_ids)
                out.at(
                    (*tloc, "expect", e_index, "rule"),
                    Reason.UNKNOWN_NAME,
                    f"unknown rule '{exp.rule}'",
                    hint,
                    spec.id,
                )


def check_facts(facts: dict[str, list[dict[str, Any]]], tloc: Loc, out: Collector, rule_id: str = "") -> None:
    """A test's facts (a rule's or a site file's): known types, valid records, each mistake said once."""
    with ephemeral_token_key():  # test facts' tokens never leave the check
        for type_name, records in facts.items():
            if type_name not in FACT_SPECS:
                hint = did_you_mean(type_name, FACT_SPECS) or ""
                out.add(
                    Diagnostic(
                        out.smap.at((*tloc, "facts", type_name), key=True),
                        Reason.UNKNOWN_FACT_TYPE,
                        f"unknown fact type '{type_name}'",
                        hint,
                        rule_id,
                    )
                )
                continue
            for r_index, record in enumerate(records):
                problems = validate_record(type_name, record, fill_keys=True)[1]
                # a misspelt field (start_dat) also leaves its field missing: say it once, as the misspelling
                meant = {m.removeprefix("unknown field (did you mean '").partition("'")[0] for _, m in problems}
                problems = [(f, m) for f, m in problems if not (m == "required field is missing" and f in meant)]
                for field_name, message in problems:
                    rloc: Loc = (*tloc, "facts", type_name, r_index)
                    if field_name in record:
                        rloc = (*rloc, field_name)
                    out.at(rloc, Reason.INVALID_VALUE, f"{type_name}.{field_name}: {message}", "", rule_id)
