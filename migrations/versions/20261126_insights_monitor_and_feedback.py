"""adverse-impact monitor alerts and candidate feedback reports

Revision ID: 5e55107e0011
Revises: 5e55107e0010
Create Date: 2026-11-26 10:11:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db

revision = "5e55107e0011"
down_revision = "5e55107e0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "adverse_impact_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "findings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("acknowledged_at", core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_adverse_impact_alert_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["user_account.id"],
            name=op.f("fk_adverse_impact_alert_acknowledged_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_impact_alert")),
    )
    with op.batch_alter_table("adverse_impact_alert", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_adverse_impact_alert_company_id"), ["company_id"], unique=False
        )
    # Opt-in: candidates may read a developmental report once a decision is recorded.
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("feedback_reports", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_column("feedback_reports")
    with op.batch_alter_table("adverse_impact_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adverse_impact_alert_company_id"))
    op.drop_table("adverse_impact_alert")
