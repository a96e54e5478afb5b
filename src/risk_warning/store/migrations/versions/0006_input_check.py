"""The input check: what each scan read (fact types, subjects), its data-quality account per file,
and a refused scan's reasons and who accepted a deliberate drop.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scan_run") as batch:
        batch.add_column(sa.Column("input_profile", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("data_quality", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("input_problems", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("accepted_by", sa.String(), nullable=True))
        batch.add_column(sa.Column("held_subjects", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("col", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_column("col")
    with op.batch_alter_table("scan_run") as batch:
        batch.drop_column("held_subjects")
        batch.drop_column("accepted_by")
        batch.drop_column("input_problems")
        batch.drop_column("data_quality")
        batch.drop_column("input_profile")
