"""company-owned question bank and sequence versions for customization

Revision ID: 5e55107e0007
Revises: 5e55107e0006
Create Date: 2026-11-25 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db


revision = '5e55107e0007'
down_revision = '5e55107e0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'definition_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('checksum', sa.String(length=64), nullable=False),
        sa.Column('document', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
        sa.Column('yaml_text', sa.Text(), nullable=False),
        sa.Column('published_at', core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('published_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_definition_version_company_id_company')),
        sa.ForeignKeyConstraint(['published_by'], ['user_account.id'], name=op.f('fk_definition_version_published_by_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_definition_version')),
        sa.UniqueConstraint('company_id', 'kind', 'key', 'version', name=op.f('uq_definition_version_company_id')),
    )
    with op.batch_alter_table('definition_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_definition_version_company_id'), ['company_id'], unique=False)

    # Assessments keep their table; their YAML is kept too, for the editor and diffs.
    with op.batch_alter_table('assessment_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('yaml_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('published_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_assessment_version_published_by_user_account'), 'user_account', ['published_by'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('assessment_version', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assessment_version_published_by_user_account'), type_='foreignkey')
        batch_op.drop_column('published_by')
        batch_op.drop_column('yaml_text')
    with op.batch_alter_table('definition_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_definition_version_company_id'))
    op.drop_table('definition_version')
