"""Alert lifecycle: history of every change, cleared alerts, suppressions, the scan lease.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.add_column(sa.Column("org_unit_id", sa.String(), nullable=True))
        batch.add_column(sa.Column("cleared_at", sa.Date(), nullable=True))
        batch.add_column(sa.Column("suppressed_until", sa.Date(), nullable=True))
        batch.create_index("ix_alert_org_unit_id", ["org_unit_id"])
        batch.create_index("ix_alert_status", ["status"])
    with op.batch_alter_table("scan_run") as batch:
        batch.add_column(sa.Column("cleared_alerts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("error", sa.String(), nullable=True))
    op.create_table(
        "alert_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alert.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("from_status", sa.String(), nullable=True),
        sa.Column("to_status", sa.String(), nullable=True),
        sa.Column("from_grade", sa.String(), nullable=True),
        sa.Column("to_grade", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
    )
    op.create_index("ix_alert_history_alert_id", "alert_history", ["alert_id"])
    # alerts stored before history existed get a 'created' entry, so no alert lacks one
    op.execute(
        "INSERT INTO alert_history (alert_id, at, actor, action, to_status, to_grade, reason) "
        "SELECT id, CURRENT_TIMESTAMP, 'migration 0002', 'created', status, grade, 'recorded before history' "
        "FROM alert"
    )
    op.create_table(
        "suppression",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("rule_id", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
    )
    op.create_index("ix_suppression_subject_id", "suppression", ["subject_id"])
    op.create_table(
        "scan_lease",
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("holder", sa.String(), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("scan_lease")
    op.drop_table("suppression")
    op.drop_table("alert_history")
    with op.batch_alter_table("scan_run") as batch:
        batch.drop_column("error")
        batch.drop_column("cleared_alerts")
    with op.batch_alter_table("alert") as batch:
        batch.drop_index("ix_alert_status")
        batch.drop_index("ix_alert_org_unit_id")
        batch.drop_column("suppressed_until")
        batch.drop_column("cleared_at")
        batch.drop_column("org_unit_id")
