"""A package's public names imported on first use (PEP 562), so importing one submodule, as the command
does, does not import every stage of the library: ``risk-warning --version`` took 2.6 s, most of it the
package's own ``__init__`` importing the store, the scan and Polars.

A package lists ``{name: module}`` and keeps the same imports under ``TYPE_CHECKING`` for mypy and
readers; ``tests/test_lazy_exports.py`` checks the two agree and that every name imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    namespace: dict[str, Any], exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The package's ``__getattr__`` and ``__dir__`` (given its ``globals()``): a name is imported from its
    module when first read."""
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # read once: the next use is a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
