"""The durable-rules engine used from many threads at once (the service's request pool, an embedding
application's): every subject gets exactly the alerts it gets alone, never another subject's. The adapter
runs one session at a time per process (its lock), so the engine's 32-bit session hashes can never meet
a live session of another thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from risk_warning import DirectorySource, Engine, load_rulesets
from risk_warning.bundled import data_path
from risk_warning.plan.partition import partition_facts

AS_OF = date(2026, 6, 30)


def _alone_and_together(engine: Engine) -> tuple[dict[str, list[str]], list[dict[str, list[str]]]]:
    facts = DirectorySource(data_path("demo")).load().facts
    parts = list(partition_facts(facts))

    def one(part: tuple[str, list[object]]) -> tuple[str, list[str]]:
        subject, members = part
        return subject, sorted(a.fingerprint for a in engine.evaluate_subject(subject, members, AS_OF))  # type: ignore[arg-type]

    alone = dict(one(p) for p in parts)
    rounds = []
    with ThreadPoolExecutor(16) as pool:
        for _ in range(5):
            rounds.append(dict(pool.map(one, parts * 4)))
    return alone, rounds


def test_sixteen_threads_give_each_subject_its_own_alerts() -> None:
    engine = Engine(load_rulesets(["core"]))
    alone, rounds = _alone_and_together(engine)
    assert sum(map(len, alone.values())) >= 10
    for together in rounds:
        assert together == alone
