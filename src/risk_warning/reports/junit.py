"""JUnit XML, the report every CI system reads: rule tests and backtest expectations as test cases.

The layout is the one Jenkins, GitLab and GitHub's test reporters agree on: ``<testsuites>`` of
``<testsuite>`` of ``<testcase classname name file line time>``, a failing case holding one
``<failure message type>`` and a skipped one ``<skipped message>``. Written with the standard library's
ElementTree, which escapes every value.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from risk_warning.privacy import scrub


@dataclass(frozen=True)
class Case:
    suite: str
    name: str
    file: str = ""
    line: int = 0
    seconds: float = 0.0
    failure: str | None = None  # the failure's message; None when it passed
    details: Sequence[str] = field(default_factory=tuple)
    skipped: str | None = None


def junit_xml(title: str, cases: Sequence[Case]) -> bytes:
    """The cases grouped by suite, in order; every text scrubbed of personal identifiers."""
    root = ET.Element("testsuites", name=title)
    suites: dict[str, ET.Element] = {}
    for case in cases:
        suite = suites.get(case.suite)
        if suite is None:
            suite = suites[case.suite] = ET.SubElement(root, "testsuite", name=case.suite)
        element = ET.SubElement(suite, "testcase", classname=case.suite, name=case.name, time=f"{case.seconds:.3f}")
        if case.file:
            element.set("file", case.file)
        if case.line:
            element.set("line", str(case.line))
        if case.failure is not None:
            failure = ET.SubElement(element, "failure", message=scrub(case.failure), type="expectation")
            failure.text = "\n".join(scrub(line) for line in (case.failure, *case.details))
        elif case.skipped is not None:
            ET.SubElement(element, "skipped", message=scrub(case.skipped))
    for element in (root, *suites.values()):
        counted = list(element.iter("testcase"))
        element.set("tests", str(len(counted)))
        element.set("failures", str(sum(c.find("failure") is not None for c in counted)))
        element.set("skipped", str(sum(c.find("skipped") is not None for c in counted)))
        element.set("errors", "0")
        element.set("time", f"{sum(float(c.get('time', '0')) for c in counted):.3f}")
    ET.indent(root)
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text


def write_junit(path: Path, title: str, cases: Sequence[Case]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(junit_xml(title, cases))
