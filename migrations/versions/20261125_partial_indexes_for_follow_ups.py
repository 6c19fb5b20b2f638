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


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
