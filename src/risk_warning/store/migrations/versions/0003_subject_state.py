"""Per-subject state for incremental scans: the hash of its facts and until when its result holds.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subject_state",
        sa.Column("subject_id", sa.String(), primary_key=True),
        sa.Column("fact_hash", sa.String(), nullable=False),
        sa.Column("ruleset_hash", sa.String(), nullable=False),
        sa.Column("evaluated_as_of", sa.Date(), nullable=False),
        sa.Column("seen_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=False),
    )
    with op.batch_alter_table("scan_run") as batch:
        batch.add_column(sa.Column("carried_subjects", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("scan_run") as batch:
        batch.drop_column("carried_subjects")
    op.drop_table("subject_state")
