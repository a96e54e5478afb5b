"""The only module that imports durable-rules: a hardened adapter around its C engine.

The engine's measured defects (docs/design.md, shared/design/durable-rules-notes.md) and what this
adapter does about each:

* sid lookup and fact identity are 32-bit hashes compared without the key: exactly one session is
  live per engine ruleset at any time, and every session gets a fresh sid that is deleted after it;
  fact ids are assigned here and are collision-free under the engine's FNV-1a hash within a session;
* ``post`` fires one rule only, timers run on background threads that race ``delete_state``: we
  only assert facts, never start the Python ``Host`` (no threads) and read matches from the action
  queue ourselves: no Python action ever runs inside the engine, so none can be swallowed;
* ``delete_state`` on a sid where no action ran segfaults: every session asserts a no-op fact that
  a no-op rule matches, and drains every action before the delete;
* alpha fan-out, identical-condition and rule-count limits hang or fail at assert time: compiled
  rules are grouped into engine rulesets small enough to stay clear of them, checked when built;
* rulesets cannot be unregistered: they are named by content hash and created once per process;
* every returned frame is checked against the session (sid, id, type, index) before it becomes a
  match; anything unexpected raises EngineError instead of producing an alert;
* "one session live per engine ruleset" must also hold across threads (the service evaluates requests on
  a pool of threads; an embedding application may too): a session, and the registry of engine rulesets,
  are used under one process-wide lock. Parallel evaluation is by processes (executors/), never threads.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

import durable_rules_engine as _engine

from risk_warning.engine.base import Match, Partition
from risk_warning.engine.durable.compile import SHADOW, CompiledRule, Program, engine_numbers
from risk_warning.engine.durable.derived import with_derived
from risk_warning.errors import EngineError, EngineLimitError
from risk_warning.facts.normalise import PlainFact

MAX_RULES_PER_GROUP = 40  # well under 256 identical conditions and the 64-node alpha stack
MAX_ALPHA_FANOUT = 48  # the engine fails at 64 pending sibling alpha nodes (#312) and hangs at 512
NOOP_RULE = "$noop"
NOOP_TYPE = "$noop"

_handles: dict[str, list[int]] = {}  # content-hash name -> [engine handle, users]
_sids = itertools.count(1)
_lock = threading.RLock()  # one session at a time in this process, whichever thread asks


def fnv1a_32(text: str) -> int:
    """The engine's hash of fact ids and sids (FNV-1a, 32 bits, over UTF-8 bytes)."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def fact_ids(count: int) -> list[str]:
    """``count`` short fact ids whose engine hashes are pairwise distinct."""
    ids: list[str] = []
    seen: set[int] = set()
    for n in itertools.count():
        if len(ids) == count:
            break
        candidate = f"f{n}"
        h = fnv1a_32(candidate)
        if h not in seen:
            seen.add(h)
            ids.append(candidate)
    return ids


def _alpha_fanout(rules: Sequence[CompiledRule]) -> int:
    """The most patterns on one fact type: a conservative bound on the alpha nodes one fact can reach.

    A fact that reaches more than 64 sibling alpha nodes fails the whole session with error 303 (#312);
    counting every pattern (not only distinct conditions) stays below that whatever the engine shares.
    """
    patterns: Counter[str] = Counter()
    for rule in rules:
        for pattern in rule.definition["all"]:
            body = next(iter(pattern.values()))
            parts = body.get("$and", [body])
            patterns[json.dumps(parts[0], sort_keys=True)] += 1
    return max(patterns.values(), default=0)


def group_rules(rules: Sequence[CompiledRule]) -> list[list[CompiledRule]]:
    """Split compiled rules into engine rulesets that stay inside the engine's limits."""
    groups: list[list[CompiledRule]] = []
    current: list[CompiledRule] = []
    for rule in rules:
        if _alpha_fanout([rule]) > MAX_ALPHA_FANOUT:
            raise EngineLimitError(
                f"rule {rule.rule_id} ({rule.grade.value}) alone has more than {MAX_ALPHA_FANOUT} distinct "
                "conditions after one fact-type test; split it into smaller rules"
            )
        trial = [*current, rule]
        if len(trial) > MAX_RULES_PER_GROUP or _alpha_fanout(trial) > MAX_ALPHA_FANOUT:
            groups.append(current)
            trial = [rule]
        current = trial
    if current:
        groups.append(current)
    return groups


def _definition(rules: Sequence[CompiledRule]) -> dict[str, Any]:
    definition: dict[str, Any] = {r.name: json.loads(json.dumps(r.definition)) for r in rules}
    definition[NOOP_RULE] = {"all": [{"m": {"_t": NOOP_TYPE}}]}
    return definition


def _handle(definition: dict[str, Any]) -> tuple[str, int]:
    text = json.dumps(definition, sort_keys=True, ensure_ascii=False)
    name = "rw-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
    with _lock:
        if name not in _handles:
            _handles[name] = [_engine.create_ruleset(name, text), 0]
        _handles[name][1] += 1
        return name, _handles[name][0]


def _release(name: str) -> None:
    with _lock:
        entry = _handles.get(name)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0:
            del _handles[name]
            _engine.delete_ruleset(entry[0])


def _check_frames(sid: str, sent: dict[str, dict[str, Any]], frames: list[tuple[str, dict[str, Any]]]) -> None:
    """Every fact in every frame must be one this session sent, unchanged in sid, id and index."""
    for rule_name, frame in frames:
        for alias, fact in frame.items():
            mine = sent.get(fact.get("id", ""))
            if fact.get("sid") != sid or mine is None or mine.get("_n") != fact.get("_n"):
                raise EngineError(f"the engine returned a fact of another session for {rule_name}/{alias}")


class DurableEvaluator:
    """Evaluates a compiled Program on one partition at a time with the durable-rules C engine."""

    def __init__(self, program: Program, *, one_by_one: bool = False) -> None:
        """``one_by_one`` asserts each fact with its own call instead of one call per session: the same
        matches, slower; it is the baseline bench/scale.py compares a scan with."""
        self.program = program
        self.one_by_one = one_by_one
        self._rules = program.by_name()
        self._groups = [(_handle(_definition(g)), g) for g in group_rules(program.rules)]
        self._wanted = program.used_types

    @property
    def engine_rulesets(self) -> int:
        return len(self._groups)

    def close(self) -> None:
        """Free the engine rulesets once no evaluator uses them (the engine cannot unregister names)."""
        for (name, _), _rules in self._groups:
            _release(name)
        self._groups = []

    def __enter__(self) -> DurableEvaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def evaluate(self, partition: Partition) -> list[Match]:
        if not self._groups:
            return []
        # derived fields once per partition, not once per engine ruleset or per shadow copy
        facts = [(i, self._with_derived(f)) for i, f in enumerate(partition.facts) if f.type in self._wanted]
        found: set[Match] = set()
        for (_, handle), _rules in self._groups:
            for frame_rule, frame in self._session(handle, facts):
                found.add(self._match(frame_rule, frame, partition))
        return sorted(found)

    def _with_derived(self, fact: PlainFact) -> PlainFact:
        """The fact with the derived fields of the calendar functions its rules apply to its fields."""
        derived = self.program.derived.get(fact.type)
        if not derived:
            return fact
        return dataclasses.replace(fact, fields=with_derived(fact.fields, derived, self.program.calendar))

    def _messages(self, sid: str, facts: Sequence[tuple[int, PlainFact]]) -> tuple[list[dict[str, Any]], list[str]]:
        shadows = [(i, f) for i, f in facts if f.type in self.program.negated_types]
        ids = fact_ids(1 + len(shadows) + len(facts))
        messages: list[dict[str, Any]] = [{"sid": sid, "id": ids[0], "_t": NOOP_TYPE}]
        # shadow copies of negated types go first: a negating fact must be present before any frame
        # it would block completes, because the engine does not retract completed frames
        for (index, fact), fid in zip(shadows, ids[1:], strict=False):
            fields = engine_numbers(fact.fields)
            messages.append({**fields, "sid": sid, "id": fid, "_t": fact.type + SHADOW, "_n": index, "_one": 1})
        for (index, fact), fid in zip(facts, ids[1 + len(shadows) :], strict=True):
            fields = engine_numbers(fact.fields)
            messages.append({**fields, "sid": sid, "id": fid, "_t": fact.type, "_n": index, "_one": 1})
        return messages, ids

    def _session(self, handle: int, facts: Sequence[tuple[int, PlainFact]]) -> list[tuple[str, dict[str, Any]]]:
        with _lock:
            return self._session_alone(handle, facts)

    def _session_alone(self, handle: int, facts: Sequence[tuple[int, PlainFact]]) -> list[tuple[str, dict[str, Any]]]:
        sid = f"s{next(_sids)}"
        messages, _ = self._messages(sid, facts)
        try:
            if self.one_by_one:
                for one in messages:
                    code, state = _engine.assert_fact(handle, json.dumps(one, ensure_ascii=False))
                    if code not in (0, 1):
                        break
            else:
                code, state = _engine.assert_facts(handle, json.dumps(messages, ensure_ascii=False))
        except _engine.error as exc:
            raise EngineError(f"the engine rejected the facts of a session: {exc}") from exc
        if code not in (0, 1):  # 1: some fact matched no rule, which is normal; 2: a duplicate id
            raise EngineError(f"the engine refused a fact of the session (code {code}); nothing was evaluated")
        frames: list[tuple[str, dict[str, Any]]] = []
        noop_seen = False
        try:
            result = _engine.start_action_for_state(handle, state)
            message = result[1] if result else None
            while message:
                for rule_name, frame in json.loads(message).items():
                    if rule_name == NOOP_RULE:
                        noop_seen = True
                    else:
                        frames.append((rule_name, frame))
                message = _engine.complete_and_start_action(handle, state)
        finally:
            if noop_seen:
                _engine.delete_state(handle, sid)
        if not noop_seen:
            raise EngineError("the engine did not run the session's no-op action; its state was not deleted")
        _check_frames(sid, {m["id"]: m for m in messages}, frames)
        return frames

    def _match(self, rule_name: str, frame: dict[str, Any], partition: Partition) -> Match:
        rule = self._rules.get(rule_name)
        if rule is None:
            raise EngineError(f"the engine fired an unknown rule {rule_name!r}")
        pairs: list[tuple[str, int]] = []
        for alias in rule.aliases:
            fact = frame.get(alias)
            if fact is None:
                raise EngineError(f"rule {rule_name}: the frame has no fact for '{alias}'")
            index = fact.get("_n")
            if not isinstance(index, int) or not 0 <= index < len(partition.facts):
                raise EngineError(f"rule {rule_name}: fact index {index!r} is outside the session")
            if partition.facts[index].type != fact.get("_t"):
                raise EngineError(f"rule {rule_name}: fact {index} is not of the type the engine reported")
            pairs.append((alias, index))
        counts = Counter(i for _, i in pairs)
        if any(c > 1 for c in counts.values()):
            raise EngineError(f"rule {rule_name}: one fact was bound twice")
        return Match(rule.ruleset_id, rule.rule_id, rule.grade, partition.subject, tuple(pairs))
