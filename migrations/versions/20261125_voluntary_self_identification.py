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
    # Apart from the application on purpose: only the fairness report reads this table.
    op.create_table(
        'self_identification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('sex', sa.String(length=32), nullable=False),
        sa.Column('race_ethnicity', sa.String(length=48), nullable=False),
        sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['application_id'], ['application.id'],
            name=op.f('fk_self_identification_application_id_application'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_self_identification')),
        sa.UniqueConstraint('application_id', name=op.f('uq_self_identification_application_id')),
    )


def downgrade() -> None:
    op.drop_table('self_identification')
