"""webhook retry schedule, and when an enrollment was completed

A webhook delivery's next attempt is due at ``next_attempt_at`` (hours apart, re-driven by the
reconciler); an enrollment's ``completed_at`` is set once, by the completion that finished its
plan, so ``onboarding.completed`` is announced exactly once. Plans already finished get the
time of their last step.

Revision ID: 5e55107e0014
Revises: 5e55107e0013
Create Date: 2026-11-26 12:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db


revision = '5e55107e0014'
down_revision = '5e55107e0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('next_attempt_at', core.db.UtcDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('completed_at', core.db.UtcDateTime(timezone=True), nullable=True)
        )
    op.execute(
        """
        UPDATE enrollment SET completed_at = (
            SELECT max(step_instance.completed_at) FROM step_instance
            WHERE step_instance.enrollment_id = enrollment.id
        )
        WHERE EXISTS (
            SELECT 1 FROM step_instance WHERE step_instance.enrollment_id = enrollment.id
        )
        AND NOT EXISTS (
            SELECT 1 FROM step_instance
            WHERE step_instance.enrollment_id = enrollment.id
            AND step_instance.status != 'completed'
        )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_column('completed_at')
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
