"""openings: team, description, status, pinned versions, cut scores and weights

Revision ID: 5e55107e0006
Revises: 5e55107e0005
Create Date: 2026-11-25 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db


revision = '5e55107e0006'
down_revision = '5e55107e0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('opening', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('description', sa.String(length=2000), server_default='', nullable=False))
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='open', nullable=False))
        batch_op.add_column(sa.Column('cut_scores', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('dimension_weights', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
    # is_open becomes a status (open, paused, closed); an opening that was not open is closed.
    op.execute(
        sa.text("UPDATE opening SET status = CASE WHEN is_open THEN 'open' ELSE 'closed' END")
    )
    with op.batch_alter_table('opening', schema=None) as batch_op:
        batch_op.drop_column('is_open')


def downgrade() -> None:
    with op.batch_alter_table('opening', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_open', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.execute(sa.text("UPDATE opening SET is_open = (status = 'open')"))
    with op.batch_alter_table('opening', schema=None) as batch_op:
        batch_op.alter_column('is_open', existing_type=sa.Boolean(), server_default=None)
        batch_op.drop_column('dimension_weights')
        batch_op.drop_column('cut_scores')
        batch_op.drop_column('status')
        batch_op.drop_column('description')
        batch_op.drop_column('team')
