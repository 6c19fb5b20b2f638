"""outbound webhook endpoints and deliveries

Revision ID: 5e55107e0010
Revises: 5e55107e0009
Create Date: 2026-11-26 10:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db


revision = '5e55107e0010'
down_revision = '5e55107e0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
