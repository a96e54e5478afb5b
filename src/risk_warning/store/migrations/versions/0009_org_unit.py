"""The organisation chart as the last scans read it (unit, name, parent): what a scope of "this unit and
everything under it" (干部管理权限) is expanded against. Units are kept when an export leaves them out: a
partial export must not shrink anyone's scope to nothing, nor widen it.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org_unit",
        sa.Column("org_unit_id", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False, server_default=""),
        sa.Column("parent_id", sa.String(), nullable=True),
        sa.Column("seen_on", sa.Date(), nullable=False),
    )
    op.create_index("ix_org_unit_parent_id", "org_unit", ["parent_id"])


def downgrade() -> None:
    op.drop_table("org_unit")
