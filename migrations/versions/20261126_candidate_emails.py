"""candidate receipts, confirmations and outcome messages

Revision ID: 5e55107e0012
Revises: 5e55107e0011
Create Date: 2026-11-26 10:12:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db


revision = '5e55107e0012'
down_revision = '5e55107e0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Starting twice with the same email resumes the open application: found by this index.
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.create_index('ix_candidate_email', ['email'], unique=False)
    # A company's optional outcome messages to candidates; empty: none is sent (the default).
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_advance_message', sa.String(length=1000), server_default='', nullable=False))
        batch_op.add_column(sa.Column('outcome_reject_message', sa.String(length=1000), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_column('outcome_reject_message')
        batch_op.drop_column('outcome_advance_message')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_index('ix_candidate_email')
