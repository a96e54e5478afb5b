"""A scan or an evaluation is as of a day in 2000-01-01 .. 2100-12-31: outside it, one message, never an
OverflowError in the middle of a scan (`--as-of 9999-12-31` was one)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from risk_warning import DirectorySource, Engine, load_rulesets
from risk_warning.bundled import data_path
from risk_warning.cli.exit_codes import ExitCode
from risk_warning.errors import ConfigError

SAID = "as of {}: outside 2000-01-01 .. 2100-12-31, the days a scan or an evaluation may be as of"


def test_the_library_refuses_a_day_outside_the_range_and_takes_its_ends() -> None:
    facts = DirectorySource(data_path("demo")).load().facts
    engine = Engine(load_rulesets(["core"]))
    for day in (date(1999, 12, 31), date(2101, 1, 1), date(9999, 12, 31), date(1, 1, 1)):
        with pytest.raises(ConfigError) as caught:
            engine.evaluate(facts, day)
        assert str(caught.value) == SAID.format(day.isoformat())
    for day in (date(2000, 1, 1), date(2100, 12, 31)):
        engine.evaluate(facts, day)  # no exception at either end


def test_the_command_says_it_and_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "risk_warning", "scan", "--data", "demo", "--as-of", "9999-12-31", "--db",
         f"sqlite:///{tmp_path / 's.db'}"], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == ExitCode.CONFIG and "Traceback" not in done.stderr
    assert SAID.format("9999-12-31") in done.stderr
