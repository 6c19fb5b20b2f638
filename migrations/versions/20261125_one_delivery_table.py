"""one delivery table for every outgoing notice

Revision ID: 5e55107e0003
Revises: 5e55107e0002
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db


revision = '5e55107e0003'
down_revision = '5e55107e0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('recipient_user_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('sent_at', core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ['company_id'], ['company.id'], name=op.f('fk_delivery_company_id_company'),
        ),
        sa.ForeignKeyConstraint(
            ['recipient_user_id'], ['user_account.id'],
            name=op.f('fk_delivery_recipient_user_id_user_account'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery')),
        sa.UniqueConstraint('key', name=op.f('uq_delivery_key')),
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_kind_subject', ['kind', 'subject_id'], unique=False)
        batch_op.create_index(
            'ix_delivery_pending', ['created_at'], unique=False,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )
    # Packet emails already on record become deliveries, so none is sent a second time.
    op.execute(
        """
        INSERT INTO delivery (key, kind, subject_id, company_id, recipient_user_id, status,
                              created_at, claimed_at, sent_at, attempts, last_error)
        SELECT 'packet_ready:' || pd.packet_id || ':' || pd.user_id, 'packet_ready',
               pd.packet_id, o.company_id, pd.user_id,
               CASE WHEN pd.sent_at IS NULL THEN 'pending' ELSE 'sent' END,
               p.built_at, pd.claimed_at, pd.sent_at, pd.attempts, pd.last_error
        FROM packet_delivery pd JOIN packet p ON p.id = pd.packet_id
        JOIN application a ON a.id = p.application_id JOIN opening o ON o.id = a.opening_id
        """
    )
    op.drop_table('packet_delivery')


def downgrade() -> None:
    op.create_table(
        'packet_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('packet_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('claimed_at', core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('sent_at', core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['packet_id'], ['packet.id'], name=op.f('fk_packet_delivery_packet_id_packet')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_packet_delivery_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_packet_delivery')),
        sa.UniqueConstraint('packet_id', 'user_id', name=op.f('uq_packet_delivery_packet_id')),
    )
    op.execute(
        """
        INSERT INTO packet_delivery (packet_id, user_id, claimed_at, sent_at, attempts, last_error)
        SELECT subject_id, recipient_user_id, claimed_at, sent_at, attempts, last_error
        FROM delivery WHERE kind = 'packet_ready' AND recipient_user_id IS NOT NULL
        """
    )
    op.drop_table('delivery')
