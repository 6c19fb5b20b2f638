"""staff session version (logout and deactivation end sessions)

Revision ID: 5e55107e0001
Revises: 4947cb7eb681
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db


revision = '5e55107e0001'
down_revision = '4947cb7eb681'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place. Recreating the table instead (batch's default)
    # fails on DROP TABLE while foreign keys are on and other rows point at staff accounts.
    with op.batch_alter_table('user_account', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('session_version')
