"""outbound webhook endpoints and deliveries

Revision ID: 5e55107e0010
Revises: 5e55107e0009
Create Date: 2026-11-26 10:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db


revision = '5e55107e0010'
down_revision = '5e55107e0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'webhook_endpoint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('secret', sa.String(length=128), nullable=False),
        sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('removed_at', core.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['company_id'], ['company.id'], name=op.f('fk_webhook_endpoint_company_id_company'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoint')),
    )
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_webhook_endpoint_company_id'), ['company_id'], unique=False
        )
    op.create_table(
        'webhook_subscription',
        sa.Column('endpoint_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ['endpoint_id'], ['webhook_endpoint.id'],
            name=op.f('fk_webhook_subscription_endpoint_id_webhook_endpoint'),
        ),
        sa.PrimaryKeyConstraint('endpoint_id', 'event', name=op.f('pk_webhook_subscription')),
    )
    op.create_table(
        'webhook_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('endpoint_id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=64), nullable=False),
        sa.Column(
            'payload',
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=False,
        ),
        sa.Column('occurred_at', core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('sent_at', core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ['company_id'], ['company.id'], name=op.f('fk_webhook_delivery_company_id_company'),
        ),
        sa.ForeignKeyConstraint(
            ['endpoint_id'], ['webhook_endpoint.id'],
            name=op.f('fk_webhook_delivery_endpoint_id_webhook_endpoint'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery')),
        sa.UniqueConstraint(
            'endpoint_id', 'event_id', name=op.f('uq_webhook_delivery_endpoint_id')
        ),
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index(
            'ix_webhook_delivery_pending', ['created_at'], unique=False,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )
    op.create_table(
        'webhook_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=False),
        sa.Column('attempted_at', core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('latency_ms', sa.Integer(), nullable=False),
        sa.Column('response_snippet', sa.String(length=300), nullable=False),
        sa.Column('error', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ['delivery_id'], ['webhook_delivery.id'],
            name=op.f('fk_webhook_attempt_delivery_id_webhook_delivery'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempt')),
    )
    with op.batch_alter_table('webhook_attempt', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_webhook_attempt_delivery_id'), ['delivery_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('webhook_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_attempt_delivery_id'))
    op.drop_table('webhook_attempt')
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_delivery_pending')
    op.drop_table('webhook_delivery')
    op.drop_table('webhook_subscription')
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_endpoint_company_id'))
    op.drop_table('webhook_endpoint')
