"""api keys for the json api

Revision ID: 5e55107e0009
Revises: 5e55107e0008
Create Date: 2026-11-26 10:09:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db


revision = '5e55107e0009'
down_revision = '5e55107e0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
