"""The shape of the package: the import-linter contracts hold (layers along the flow, the store kept
from the engine, ORM rows inside the store, durable-rules behind its adapter), and no module imports
itself round a circle."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = {"__init__", "__main__", "bundled", "errors", "grade", "lazy_exports", "privacy", "settings"}


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    declared = len(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"])
    assert declared >= 4 and f"Contracts: {declared} kept, 0 broken." in result.stdout


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("risk_warning")
    modules = sorted(graph.modules)
    state: dict[str, int] = {}  # 1 on the path, 2 done
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if state.get(other) == 1:
                cycles.append([*path[path.index(other) :], other])
            elif other not in state:
                visit(other, [*path, other])
        state[module] = 2

    for module in modules:
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_only_the_foundations_stay_at_the_top() -> None:
    src = ROOT / "src" / "risk_warning"
    assert {p.stem for p in src.glob("*.py")} <= TOP_LEVEL
