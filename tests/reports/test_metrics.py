"""Effectiveness measures over the closed-loop scenario, against values worked out by hand.

The scenario (tests/store/test_closed_loop.py) raises nine alerts: on 07-01 W's passport (yellow), W's
trip (blue), W's absences (yellow), W's accumulation X1 (orange), R's absences, and T's, K's and E's
near-tier claims (yellow); on 07-21 W's X2 (red). On 07-02 T, R and E get a talk and K 诫勉; here W's
passport is also triaged on 07-11. On 10-20 K, with no targeted education and no re-check 90 days
after the 诫勉, gets a yellow follow-up alert (J5).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from risk_warning import AlertStore, MemorySource, scan
from risk_warning.reports.metrics import effectiveness, effectiveness_by_unit
from risk_warning.store.tables import AlertStatus
from tests.store.test_closed_loop import N1, N2, N3, N4, N5, RULESETS, alert, decide, records

ROOT = Path(__file__).resolve().parents[2]


def hr_facts() -> list[Any]:
    """Who holds a high-risk post (W, T, E; K's post is low-risk) and W's warning education in March."""
    loaded = MemorySource.from_records(
        {
            "cadre": records(N5)["cadre"],
            "position": [
                {"position_id": "P-high", "title": "招投标管理", "risk_level": "high"},
                {"position_id": "P-low", "title": "办公室", "risk_level": "low"},
            ],
            "appointment": [
                {"appointment_id": f"A-{c}", "cadre_id": c, "position_id": p, "start_date": date(2020, 1, 1)}
                for c, p in (("W", "P-high"), ("T", "P-high"), ("E", "P-high"), ("K", "P-low"))
            ],
            "education_record": [
                {"record_id": "ed1", "cadre_id": "W", "type": "警示教育", "date": date(2026, 3, 1), "hours": 2}
            ],
        }
    ).load()
    assert not loaded.quarantined
    return list(loaded.facts)


def play(store: AlertStore) -> None:
    for night in (N1, N2, N3, N4, N5):
        scan(RULESETS, MemorySource.from_records(records(night), fill_keys=True), night, store=store, full=False)
        if night == N1:
            decide(store)
            passport = alert(store, "W", "travel.doc-not-surrendered")
            store.transition(passport.id or 0, AlertStatus.TRIAGED, "监督科", on=date(2026, 7, 11))


def test_measures_match_the_hand_computed_values(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'metrics.db'}"
    store = AlertStore(db)
    play(store)

    to_recheck = effectiveness(store, N1, N4, facts=hr_facts())
    # resolved by 09-30: X1 (cleared 07-21, orange), T (closed 09-30, yellow), K (cleared 09-01, yellow);
    # E and R were escalated at their re-check
    assert (to_recheck.alerts_raised, to_recheck.alerts_resolved, to_recheck.resolved_early) == (9, 3, 2)
    assert to_recheck.early_resolution_share == 0.6667
    # no repeat yet: T's and K's claims come back on 10-20
    assert (to_recheck.dispositions, to_recheck.repeats, to_recheck.repeat_rate) == (4, 0, 0.0)
    # four dispositions a day after the alert, one triage after ten days; four alerts nobody touched
    assert (to_recheck.triaged, to_recheck.untriaged) == (5, 4)
    assert (to_recheck.median_days_to_triage, to_recheck.mean_days_to_triage) == (1.0, 2.8)
    # open more than 30 days with no disposition: W's passport (triaged only), trip, absences, and X2
    assert (to_recheck.overdue_dispositions, to_recheck.overdue_replies, to_recheck.overdue_rechecks) == (4, 0, 0)

    whole = effectiveness(store, N1, N5, facts=hr_facts())
    # T and K reopened on 10-20: only X1 stays resolved, and it was orange
    assert (whole.alerts_resolved, whole.resolved_early, whole.early_resolution_share) == (1, 0, 0.0)
    assert (whole.repeats, whole.repeat_rate) == (2, 0.5)  # T and K, within six months of 07-02
    # high-risk posts: W (warning education in March), T (targeted education completed 07-20), E (never)
    assert (whole.high_risk_holders, whole.high_risk_covered, whole.education_coverage) == (3, 2, 0.6667)
    assert whole.overdue_dispositions == 4  # T's and K's reopened alerts are only a day old

    # K's 诫勉 re-check falls due on 2027-01-01 and no scan has run since
    assert effectiveness(store, N1, date(2027, 1, 10)).overdue_rechecks == 1

    units = {r.unit: r for r in effectiveness_by_unit(store, N1, N5, facts=hr_facts())}
    assert set(units) == {"U1", "U2", None}
    # U1 also has K's 10-20 alert: no targeted education and no re-check 90 days after the 诫勉 (J5)
    assert (units["U1"].alerts_raised, units["U2"].alerts_raised, units[None].alerts_raised) == (3, 7, 10)
    assert (units["U1"].repeats, units["U1"].dispositions, units["U2"].repeats, units["U2"].dispositions) == (
        1,
        2,
        1,
        2,
    )
    assert (units["U1"].high_risk_holders, units["U1"].high_risk_covered) == (1, 0)  # E; K's post is low-risk
    store.close()

    # the command line prints the same figures
    period = ["--db", db, "--from", "2026-07-01", "--to", "2026-09-30"]
    cli = subprocess.run(
        [sys.executable, "-m", "risk_warning", "metrics", *period, "--format", "json", "--unit", "U2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    (u2,) = json.loads(cli.stdout)
    assert (u2["unit"], u2["alerts_raised"], u2["dispositions"], u2["triaged"]) == ("U2", 7, 2, 3)
    table = subprocess.run(
        [sys.executable, "-m", "risk_warning", "metrics", "--db", db, "--from", "2026-07-01", "--to", "2026-09-30"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert "抓早抓小" in table.stdout and "67%" in table.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "risk_warning", "metrics", "--db", db, "--from", "2026-09-30", "--to", "2026-07-01"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "before --from" in bad.stderr
