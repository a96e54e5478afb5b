"""What ships inside the package, found by name from any directory: the default rulesets and the demo export.

``core`` names the shipped rulesets and ``demo`` the demo export wherever a ruleset path or an export
directory is asked for; a path that exists in the current directory always wins over a name. (In the
repository, ``rulesets/`` and ``fixtures/demo/`` are links to these folders.)
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
RULESETS = PACKAGE / "rulesets"
DEMO = PACKAGE / "demo"
DATA_SETS = {"demo": DEMO}


def ruleset_names() -> list[str]:
    """The names of the shipped rulesets (their folders)."""
    return sorted(p.name for p in RULESETS.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def rules_path(path: str | Path) -> Path:
    """``path`` when it exists; else the shipped rulesets it names (``core``); else ``path`` unchanged, for
    the caller to report as missing."""
    p = Path(path)
    if p.exists() or len(p.parts) != 1 or p.name not in ruleset_names():
        return p
    return RULESETS / p.name


def data_path(path: str | Path) -> Path:
    """``path`` when it exists; else the shipped export it names (``demo``); else ``path`` unchanged."""
    p = Path(path)
    return DATA_SETS.get(str(p), p) if not p.exists() else p


def package_version() -> str:
    """The installed package's version ("unknown" when run from a tree that was never installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("risk-warning")
    except PackageNotFoundError:
        return "unknown"
