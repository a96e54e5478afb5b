"""What every command shares: the consoles, the store URL, dates from options, and loading rulesets.

Sub-command modules import from here, never from ``cli/app.py`` (which imports them): no cycle.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from risk_warning.bundled import DATA_SETS, data_path, rules_path, ruleset_names
from risk_warning.cli.exit_codes import ExitCode
from risk_warning.errors import RulesetError
from risk_warning.privacy import scrub
from risk_warning.settings import settings

if TYPE_CHECKING:
    from risk_warning.rules.program import Ruleset
    from risk_warning.store.repository import AlertStore


class PlainConsole(Console):
    """A console that prints text as given: no markup (``[red]``, ``[/]``), no emoji codes (``:100:`` would
    print as a picture and lose a line number), no highlighting; and every string it renders, table cells
    and progress lines included, scrubbed of ID and phone numbers before it is laid out (a cell wrapped
    over two lines would hide a number from a scrub of the printed lines). Styles are given as ``Text``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        kwargs.update(markup=False, emoji=False, highlight=False)
        return super().render_str(scrub(text), **kwargs)


# piped output (make demo in CI, a log file) gets a readable width instead of 80 columns
out = PlainConsole(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = PlainConsole(stderr=True, soft_wrap=True)

DEFAULT_DB: str | None = None  # the store of the settings: --settings file, then RW_DB_URL, then --db
DbOpt = Annotated[
    str | None,
    typer.Option(
        help="Store URL: sqlite:///file.db or postgresql+psycopg://... [default: db_url of the settings, "
        "RW_DB_URL, or sqlite:///risk_warning.db]",
        show_default=False,
    ),
]


class Format(enum.StrEnum):
    """Output for people (a table) or for tools (JSON); the CLI refuses anything else."""

    TABLE = "table"
    JSON = "json"


FormatOpt = Annotated[Format, typer.Option("--format", help="table (for people) or json (for tools)")]
RulesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        help="Ruleset files, directories or shipped names [default: rules of the settings, RW_RULES, or core]",
        show_default=False,
    ),
]
SiteOpt = Annotated[Path | None, typer.Option("--site", help="A site file overriding params, grades, status.")]
CalendarOpt = Annotated[
    Path | None,
    typer.Option(
        "--calendar",
        help="A site calendar file: working-day years and corrections beyond chinesecalendar. [default: RW_CALENDAR]",
    ),
]


def option_date(value: str | None, name: str) -> date | None:
    """A date option (YYYY-MM-DD), or exit 2 naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        err.print(f"{name} must be a date such as 2026-06-30, not {value!r}", markup=False)
        raise typer.Exit(ExitCode.CONFIG) from None


def required_date(value: str, name: str) -> date:
    day = option_date(value, name)
    assert day is not None
    return day


def load_rules(paths: list[Path] | None, site: Path | None, calendar: Path | None = None) -> list[Ruleset]:
    """Rulesets from files or directories (none given: the settings' ``rules``), with the site's overrides
    and working-day calendar (``--calendar``, else ``RW_CALENDAR``); every problem printed at
    file:line:col, then exit 2."""
    from risk_warning.rules.loader import load_rulesets

    paths = paths or [Path(p) for p in settings().rules]
    missing = [p for p in paths if not rules_path(p).exists()]
    if missing:
        shipped = ", ".join(ruleset_names())
        listed = ", ".join(map(str, missing))
        err.print(f"no such file or directory: {listed} (shipped rulesets, by name: {shipped})", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    try:
        return load_rulesets(paths, overrides=site, calendar=calendar or settings().calendar)
    except RulesetError as exc:
        for d in exc.diagnostics:
            err.print(scrub(str(d)), markup=False)
        err.print(Text(f"{len(exc.diagnostics)} problem(s); nothing was run.", style="red"))
        raise typer.Exit(ExitCode.CONFIG) from None


def data_dir(path: Path | None, option: str = "--data") -> Path:
    """An export directory: ``path`` (none given: the settings' ``data``), or the shipped export it names
    (``demo``); exit 2 when there is none."""
    if path is None:
        if settings().data is None:
            err.print(f"give {option} (or set data in the settings file, or RW_DATA)", markup=False)
            raise typer.Exit(ExitCode.CONFIG)
        path = Path(str(settings().data))
    found = data_path(path)
    if not found.is_dir():
        shipped = ", ".join(DATA_SETS)
        what = "not a directory" if found.exists() else "no such directory"
        err.print(f"{option} {path}: {what} (give an export directory, or a shipped one: {shipped})", markup=False)
        raise typer.Exit(ExitCode.CONFIG)
    return found


@contextmanager
def opened_store(db: str | None) -> Iterator[AlertStore]:
    """The store (it must exist and be current), closed afterwards.

    A refused operation (a lifecycle rule, an unknown or out-of-scope alert) prints why and exits 2; a
    NotPermittedError goes on to main(), which says it and exits 8; a missing or older store is main()'s
    too (exit 6).
    """
    from risk_warning.errors import StoreError
    from risk_warning.store.principal import NotPermittedError
    from risk_warning.store.repository import AlertStore

    store = AlertStore(db, setup="existing")
    try:
        yield store
    except NotPermittedError:
        raise
    except StoreError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(ExitCode.CONFIG) from None
    finally:
        store.close()
