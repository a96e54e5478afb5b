"""JUnit XML (reports/junit.py): suites in order, counts that add up, values escaped, identifiers masked."""

from __future__ import annotations

from xml.etree import ElementTree

from risk_warning.reports.junit import Case, junit_xml


def test_cases_group_into_suites_with_counts_and_escaped_masked_text() -> None:
    cases = [
        Case("June", "rule.a", "r.expect.yaml", 9, 1.5),
        Case("June", "rule.<b>", "r.expect.yaml", 10, 0.0, 'fired 0 & "none" for 110101199003071234', ("r:10:7",)),
        Case("July", "rule.c", skipped="disabled by the site"),
    ]
    root = ElementTree.fromstring(junit_xml("gate", cases))
    assert (root.tag, root.get("name"), root.get("tests"), root.get("failures"), root.get("skipped")) == (
        "testsuites",
        "gate",
        "3",
        "1",
        "1",
    )
    june, july = root.findall("testsuite")
    assert (june.get("name"), june.get("tests"), june.get("failures"), june.get("time")) == ("June", "2", "1", "1.500")
    assert [(c.get("name"), c.get("line"), c.get("file")) for c in june] == [
        ("rule.a", "9", "r.expect.yaml"),
        ("rule.<b>", "10", "r.expect.yaml"),
    ]
    failure = june[1].find("failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert message.startswith('fired 0 & "none" for 110101') and "1990030" not in message and "********" in message
    assert (failure.text or "").endswith("r:10:7")
    skipped = july[0].find("skipped")
    assert skipped is not None and skipped.get("message") == "disabled by the site" and july[0].get("line") is None
