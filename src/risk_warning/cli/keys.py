"""``risk-warning keys``: the service's API keys: make one for a name, role and scope (shown once), list them
(never the key), revoke one. An unscoped admin's work; each on the audit trail."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from risk_warning.cli._common import DEFAULT_DB, DbOpt, Format, FormatOpt, opened_store, out

app = typer.Typer(no_args_is_help=True, help="Make, list and revoke the service's API keys.")


@app.command("add")
def add(
    name: Annotated[str, typer.Option(help="Who or what uses the key (an HR system, an office).")],
    role: Annotated[str, typer.Option(help="viewer, triager, disposer or admin.")],
    unit: Annotated[
        list[str] | None, typer.Option(help="An org unit it sees, with the units under it; repeat. Default: all.")
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="A subject kind it sees (cadre, unit, project, contract). Default: all.")
    ] = None,
    db: DbOpt = DEFAULT_DB,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Make a key; it is printed once and only its hash is kept."""
    from risk_warning.store.repository import Role

    try:
        chosen = Role(role)
    except ValueError:
        raise typer.BadParameter(f"one of {', '.join(r.value for r in Role)}", param_hint="--role") from None
    with opened_store(db) as store:
        record, key = store.create_key(name, chosen, units=unit, kinds=kind)
    if fmt == "json":
        out.print(json.dumps({**record.model_dump(mode="json"), "key": key}, ensure_ascii=False), markup=False)
        return
    out.print(f"API key {record.name} ({record.role}, units {record.units or 'all'}): {key}", markup=False)
    out.print("It is shown this once; only its hash is kept.", markup=False)


@app.command("list")
def list_keys(db: DbOpt = DEFAULT_DB, fmt: FormatOpt = Format.TABLE) -> None:
    """Every key: name, prefix, role, scope, who made it, revoked or not (never the key)."""
    with opened_store(db) as store:
        keys = store.api_keys()
    if fmt == "json":
        payload = [k.model_dump(mode="json", exclude={"key_hash"}) for k in keys]
        out.print(json.dumps(payload, ensure_ascii=False, indent=2), markup=False)
        return
    table = Table(title=f"API keys: {len(keys)}")
    for column in ("name", "prefix", "role", "units", "kinds", "made by", "revoked"):
        table.add_column(column, overflow="fold")
    for k in keys:
        revoked = f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else ""
        table.add_row(
            k.name, k.prefix, k.role, ", ".join(k.units or ["all"]), ", ".join(k.kinds or ["all"]), k.created_by,
            revoked,
        )  # fmt: skip
    out.print(table)


@app.command()
def revoke(name: Annotated[str, typer.Argument(help="The key's name.")], db: DbOpt = DEFAULT_DB) -> None:
    """Revoke a key: it signs nobody in from now on (kept, for the audit trail)."""
    with opened_store(db) as store:
        record = store.revoke_key(name)
    out.print(f"API key {record.name} revoked at {record.revoked_at:%Y-%m-%d %H:%M} UTC", markup=False)
