"""Escalation and the closed loop: alert opening date and adjustments, business dates in history,
re-check outcomes of dispositions, targeted-education assignments, since when a subject is watched.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.add_column(sa.Column("opened_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("base_grade", sa.String(), nullable=True))
        batch.add_column(sa.Column("adjustments", sa.JSON(), nullable=True))
    op.execute("UPDATE alert SET opened_on = first_seen")
    with op.batch_alter_table("alert_history") as batch:
        batch.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
    with op.batch_alter_table("subject_state") as batch:
        batch.add_column(sa.Column("first_seen", sa.Date(), nullable=True))
    op.execute("UPDATE subject_state SET first_seen = evaluated_as_of")
    with op.batch_alter_table("disposition") as batch:
        batch.add_column(sa.Column("rechecked_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("recheck_result", sa.String(), nullable=True))
    op.create_table(
        "education_assignment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alert.id"), nullable=False),
        sa.Column("cadre_id", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
    )
    op.create_index("ix_education_assignment_alert_id", "education_assignment", ["alert_id"])
    op.create_index("ix_education_assignment_cadre_id", "education_assignment", ["cadre_id"])


def downgrade() -> None:
    op.drop_table("education_assignment")
    with op.batch_alter_table("disposition") as batch:
        batch.drop_column("recheck_result")
        batch.drop_column("rechecked_on")
    with op.batch_alter_table("subject_state") as batch:
        batch.drop_column("first_seen")
    with op.batch_alter_table("alert_history") as batch:
        batch.drop_column("effective_on")
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("adjustments")
        batch.drop_column("base_grade")
        batch.drop_column("opened_on")
