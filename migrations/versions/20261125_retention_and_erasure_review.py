"""retention purge and erasure review marks

Revision ID: 5e55107e0002
Revises: 5e55107e0001
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db


revision = '5e55107e0002'
down_revision = '5e55107e0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Erasure scrubs staff free text; where it cannot be sure, it marks the row for a person.
    for table in ('decision', 'scorecard'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    'needs_privacy_review', sa.Boolean(), server_default=sa.false(), nullable=False
                )
            )
    # Erasure and the purge look a candidate's applications up by candidate.
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_candidate_id'), ['candidate_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_candidate_id'))
    for table in ('scorecard', 'decision'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('needs_privacy_review')
