"""Dispositions (处置): an intervention decided on an alert, its reply, and its re-check date.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disposition",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alert.id"), nullable=False),
        sa.Column("cadre_id", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("form", sa.Integer(), nullable=False),
        sa.Column("family", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=True),
        sa.Column("replied_at", sa.Date(), nullable=True),
        sa.Column("truthful", sa.Boolean(), nullable=True),
        sa.Column("recheck_due", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
    )
    op.create_index("ix_disposition_alert_id", "disposition", ["alert_id"])
    op.create_index("ix_disposition_cadre_id", "disposition", ["cadre_id"])


def downgrade() -> None:
    op.drop_table("disposition")
