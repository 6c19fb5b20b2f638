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
    pass


def downgrade() -> None:
    pass
