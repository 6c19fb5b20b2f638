"""hire notes and start date changes

Revision ID: 5e55107e0013
Revises: 5e55107e0012
Create Date: 2026-11-26 10:13:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db


revision = '5e55107e0013'
down_revision = '5e55107e0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # --- hire page (issue 10): the manager's private notes about a new hire ---------------
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manager_notes', sa.Text(), server_default='', nullable=False))
    # --- end hire page ----------------------------------------------------------------------


def downgrade() -> None:
    # --- hire page (issue 10) ---------------------------------------------------------------
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_column('manager_notes')
    # --- end hire page ----------------------------------------------------------------------
