"""The curated public API: sorted, complete, and importable."""

import risk_warning


def test_all_is_sorted_and_importable() -> None:
    # isort style, as ruff keeps it: CONSTANTS, then names
    assert risk_warning.__all__ == sorted(risk_warning.__all__, key=lambda n: (not n.isupper(), n))
    for name in risk_warning.__all__:
        assert hasattr(risk_warning, name), name


def test_only_the_adapter_imports_the_engine() -> None:
    from pathlib import Path

    src = Path(risk_warning.__file__).parent
    importers = sorted(
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if "durable_rules_engine" in p.read_text(encoding="utf-8") or "import durable" in p.read_text(encoding="utf-8")
    )
    assert importers == ["engine/durable_adapter.py"]


def test_rules_package_never_imports_the_engine_package() -> None:
    from pathlib import Path

    rules = Path(risk_warning.__file__).parent / "rules"
    for path in rules.rglob("*.py"):
        assert "risk_warning.engine" not in path.read_text(encoding="utf-8"), path
