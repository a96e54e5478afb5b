"""Every field of every fact type has its meaning in Chinese and English (docs/facts.md shows them)."""

from __future__ import annotations

from risk_warning.facts.glossary import _PLAIN, _TYPED, meaning
from risk_warning.facts.registry import FACT_MODELS


def test_every_field_has_a_chinese_and_english_meaning() -> None:
    missing = [f"{n}.{f}" for n, m in FACT_MODELS.items() for f in m.model_fields if meaning(n, f) is None]
    assert missing == []
    for zh, en in [*_PLAIN.values(), *_TYPED.values()]:
        assert zh and en and zh != en


def test_no_meaning_describes_a_field_that_does_not_exist() -> None:
    fields = {f for m in FACT_MODELS.values() for f in m.model_fields}
    assert sorted(set(_PLAIN) - fields) == []
    for key in _TYPED:
        fact_type, _, field = key.partition(".")
        assert field in FACT_MODELS[fact_type].model_fields, key
