"""The packages whose public names are imported on first use (risk_warning/lazy_exports.py): each name
resolves to the object its `TYPE_CHECKING` import names, and the command starts without the stages it
does not need."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
LAZY = ["risk_warning", "risk_warning.alerts", "risk_warning.sources", "risk_warning.store"]


def type_checking_imports(package: str) -> dict[str, str]:
    """name -> module, as the package's `if TYPE_CHECKING:` block imports them (what mypy and readers see)."""
    init = SRC / Path(*package.split(".")) / "__init__.py"
    found: dict[str, str] = {}
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for imported in node.body:
                assert isinstance(imported, ast.ImportFrom) and imported.module
                found.update({alias.name: imported.module for alias in imported.names})
    return found


@pytest.mark.parametrize("package", LAZY)
def test_every_public_name_is_the_object_its_import_names(package: str) -> None:
    module = importlib.import_module(package)
    declared = type_checking_imports(package)
    assert declared and sorted(declared) == sorted(module.__all__)
    for name, source in declared.items():
        assert getattr(module, name) is getattr(importlib.import_module(source), name), (package, name)
        assert name in dir(module)
    with pytest.raises(AttributeError, match="has no attribute 'nothing_by_this_name'"):
        getattr(module, "nothing_by_this_name")  # noqa: B009  (the lookup under test)


def test_a_name_from_the_package_imports_as_before() -> None:
    code = "from risk_warning import Engine, AlertStore, scan, DirectorySource; print(Engine.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "Engine", done.stderr
    missing = subprocess.run(
        [sys.executable, "-c", "from risk_warning import NoSuchName"], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 1 and "cannot import name 'NoSuchName'" in missing.stderr


def test_the_command_starts_without_the_stages_it_does_not_need() -> None:
    """`risk-warning --version`, `-h` and the commands' parsing import no reader, engine, scan or cluster:
    each command imports those when it runs."""
    heavy = ["polars", "durable", "distributed", "fastapi", "jinja2", "pyarrow", "risk_warning.run.scan",
             "risk_warning.evaluate.subject", "risk_warning.sources.directory",
             "risk_warning.rules.loader"]  # fmt: skip
    code = f"import sys, risk_warning.cli.app; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
