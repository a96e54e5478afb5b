"""``risk-warning db``: create or migrate a store, and say which revision it is at.

Only a scan (and the scheduler) creates a store, and only a new one; migrating an existing store to a newer
schema is the operator's decision, taken here, after a backup. Every read-only command needs the store at
this version's revision and touches nothing.
"""

from __future__ import annotations

import typer

from risk_warning.cli._common import DEFAULT_DB, DbOpt, out

app = typer.Typer(no_args_is_help=True, help="Create or migrate a store; show its revision.")


@app.command()
def upgrade(db: DbOpt = DEFAULT_DB) -> None:
    """Create the store, or migrate it to this version's schema (existing alerts and history are kept)."""
    from risk_warning.store import migrate
    from risk_warning.store.repository import AlertStore, shown_url

    store = AlertStore(db, setup="upgrade")
    try:
        out.print(f"{shown_url(store.url)} is at revision {migrate.current_revision(store.engine)}", markup=False)
    finally:
        store.close()


@app.command()
def current(db: DbOpt = DEFAULT_DB) -> None:
    """The store's revision and this version's; exit 6 when the store is missing or older."""
    from risk_warning.store import migrate
    from risk_warning.store.repository import AlertStore, shown_url

    head = migrate.head_revision()
    store = AlertStore(db, setup="existing")  # missing, older or unreachable: main() says why, exit 6
    try:
        revision = migrate.current_revision(store.engine)
        out.print(f"{shown_url(store.url)}: revision {revision} (this version: {head})", markup=False)
    finally:
        store.close()
