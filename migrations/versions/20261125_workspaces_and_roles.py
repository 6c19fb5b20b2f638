"""workspaces: staff belong to a company, with a role

Revision ID: 5e55107e0004
Revises: 5e55107e0003
Create Date: 2026-11-25 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db


revision = '5e55107e0004'
down_revision = '5e55107e0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False))
        batch_op.add_column(sa.Column('accent_color', sa.String(length=7), server_default='#1d5c8c', nullable=False))
        batch_op.add_column(sa.Column('sender_name', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('working_days', sa.String(length=32), server_default='mon,tue,wed,thu,fri', nullable=False))
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), nullable=True))

    # Every staff account belongs to a company; accounts made before workspaces join the first.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_id', sa.Integer(), nullable=True))
    op.execute("UPDATE user_account SET company_id = (SELECT MIN(id) FROM company)")
    with op.batch_alter_table('user_account', schema=None, recreate='auto') as batch_op:
        batch_op.alter_column('company_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_user_account_company_id'), ['company_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_user_account_company_id_company'), 'company', ['company_id'], ['id']
        )

    op.create_table(
        'invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('invited_by', sa.Integer(), nullable=True),
        sa.Column('nonce', sa.String(length=32), nullable=False),
        sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', core.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_invitation_company_id_company')),
        sa.ForeignKeyConstraint(['invited_by'], ['user_account.id'], name=op.f('fk_invitation_invited_by_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_company_id'), ['company_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_company_id'))
    op.drop_table('invitation')
    with op.batch_alter_table('user_account', schema=None, recreate='never') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_account_company_id_company'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_account_company_id'))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('company_id')
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_column('retention_days')
        batch_op.drop_column('working_days')
        batch_op.drop_column('sender_name')
        batch_op.drop_column('accent_color')
        batch_op.drop_column('contact_email')
