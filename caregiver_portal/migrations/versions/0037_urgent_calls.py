"""urgent calls: provider channels (DingTalk DING, Aliyun SMS and voice), the call outbox and every attempt

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-06 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('urgent_channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('key_id', sa.String(length=200), nullable=False),
    sa.Column('key_secret', sa.String(length=200), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('rate_per_minute', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('urgent_channels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_urgent_channels_site_id'), ['site_id'], unique=False)
    op.create_table('urgent_calls',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=140), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('step', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('tried', sa.JSON(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ),
    sa.ForeignKeyConstraint(['channel_id'], ['urgent_channels.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('urgent_calls', schema=None) as batch_op:
        batch_op.create_index('ix_urgent_calls_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_urgent_calls_alert_id'), ['alert_id'], unique=False)
    op.create_table('urgent_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['urgent_calls.id'], ),
    sa.ForeignKeyConstraint(['channel_id'], ['urgent_channels.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('urgent_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_urgent_attempts_channel_at', ['channel_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_urgent_attempts_call_id'), ['call_id'], unique=False)


def downgrade() -> None:
    op.drop_table('urgent_attempts')
    op.drop_table('urgent_calls')
    op.drop_table('urgent_channels')
