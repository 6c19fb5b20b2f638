"""company-owned question bank and sequence versions for customization

Revision ID: 5e55107e0007
Revises: 5e55107e0006
Create Date: 2026-11-25 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db


revision = '5e55107e0007'
down_revision = '5e55107e0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
