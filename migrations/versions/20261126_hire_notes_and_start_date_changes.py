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
    pass


def downgrade() -> None:
    pass
