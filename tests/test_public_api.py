"""The curated public API: sorted, complete, and importable."""

import risk_warning


def test_all_is_sorted_and_importable() -> None:
    # isort style, as ruff keeps it: CONSTANTS, then names
    assert risk_warning.__all__ == sorted(risk_warning.__all__, key=lambda n: (not n.isupper(), n))
    for name in risk_warning.__all__:
        assert hasattr(risk_warning, name), name
