"""Who an alert is about, as a person reads it: the subject's masked name (张**) and its unit's name, so a
table or a report names people and units without the HR export at hand; and an index on the history's
actor (a scan's changes are read by it: "scan #N").

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.add_column(sa.Column("subject_name", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("org_unit_name", sa.String(), nullable=False, server_default=""))
    with op.batch_alter_table("alert_history") as batch:
        batch.create_index("ix_alert_history_actor", ["actor"])


def downgrade() -> None:
    with op.batch_alter_table("alert_history") as batch:
        batch.drop_index("ix_alert_history_actor")
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("org_unit_name")
        batch.drop_column("subject_name")
