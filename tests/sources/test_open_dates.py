"""An HR export's "still in post" end date (9999-12-31, or the site's own) is read as no end date: the demo
export written that way gives the same alerts as with empty end dates, and nothing is quarantined for it."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from risk_warning import DirectorySource, Engine, load_rulesets
from risk_warning.bundled import data_path
from risk_warning.settings import settings

AS_OF = date(2026, 6, 30)


def with_end_dates(folder: Path, value: str) -> Path:
    shutil.copytree(data_path("demo"), folder)
    path = folder / "appointment.csv"
    with path.open(encoding="utf-8") as given:
        rows = list(csv.reader(given))
    column = rows[0].index("end_date")
    for row in rows[1:]:
        row[column] = row[column] or value
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    return folder


def alerts_of(folder: Path) -> tuple[list[str], int]:
    loaded = DirectorySource(folder).load()
    engine = Engine(load_rulesets(["core"]))
    return sorted(a.fingerprint for a in engine.evaluate(loaded.facts, AS_OF)), len(loaded.quarantined)


@pytest.mark.parametrize("value", ["9999-12-31", "99991231", "9999/12/31", "2999-12-31"])
def test_an_open_end_date_is_no_end_date(tmp_path: Path, value: str) -> None:
    expected, quarantined = alerts_of(Path(data_path("demo")))
    assert alerts_of(with_end_dates(tmp_path / "export", value)) == (expected, quarantined)


def test_the_site_names_its_own_open_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = with_end_dates(tmp_path / "export", "2099-12-31")
    expected, _ = alerts_of(Path(data_path("demo")))
    assert alerts_of(folder)[0] != expected  # 2099-12-31 is a real date unless the site says otherwise
    monkeypatch.setenv("RW_OPEN_DATES", '["2099-12-31"]')
    settings.cache_clear()
    try:
        assert alerts_of(folder)[0] == expected
    finally:
        monkeypatch.delenv("RW_OPEN_DATES")
        settings.cache_clear()
