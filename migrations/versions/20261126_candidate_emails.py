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
    pass


def downgrade() -> None:
    pass
