"""partial indexes for the reminder and escalation queries

Revision ID: 5e55107e0008
Revises: 5e55107e0007
Create Date: 2026-11-25 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db


revision = '5e55107e0008'
down_revision = '5e55107e0007'
branch_labels = None
depends_on = None


# The scheduler asks every tick for delivered steps whose reminder (escalation) is due and
# not sent. Through ix_step_instance_status_deliver_at that meant visiting every delivered row
# (47 ms per query among 1M steps); these hold only the rows still waiting for one. Due
# deliveries get one in their query's order: PostgreSQL misjudged how many pending steps are
# due and sorted a parallel bitmap scan (50 ms among 200k steps) to return 500.
PENDING = "status = 'pending'"
REMIND_PENDING = "status = 'delivered' AND reminded_at IS NULL"
ESCALATE_PENDING = "status = 'delivered' AND escalated_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('step_instance', schema=None) as batch_op:
        batch_op.create_index(
            'ix_step_instance_deliver_due', ['deliver_at', 'id'], unique=False,
            postgresql_where=sa.text(PENDING),
            sqlite_where=sa.text(PENDING),
        )
        batch_op.create_index(
            'ix_step_instance_remind_due', ['remind_at', 'id'], unique=False,
            postgresql_where=sa.text(REMIND_PENDING),
            sqlite_where=sa.text(REMIND_PENDING),
        )
        batch_op.create_index(
            'ix_step_instance_escalate_due', ['escalate_at', 'id'], unique=False,
            postgresql_where=sa.text(ESCALATE_PENDING),
            sqlite_where=sa.text(ESCALATE_PENDING),
        )


def downgrade() -> None:
    with op.batch_alter_table('step_instance', schema=None) as batch_op:
        batch_op.drop_index('ix_step_instance_escalate_due')
        batch_op.drop_index('ix_step_instance_remind_due')
        batch_op.drop_index('ix_step_instance_deliver_due')
