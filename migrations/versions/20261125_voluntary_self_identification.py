"""voluntary self-identification, stored apart from applications

Revision ID: 5e55107e0005
Revises: 5e55107e0004
Create Date: 2026-11-25 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db


revision = '5e55107e0005'
down_revision = '5e55107e0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
