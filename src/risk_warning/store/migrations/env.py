"""Alembic environment: runs on the connection the store hands over (see store/migrate.py)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import risk_warning.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
