"""live queue: queue_events (orders and sign-ups as they change) and sites.bot_requests

Revision ID: 0017
Revises: 0025
Create Date: 2026-12-06 06:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('queue_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=10), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sites') as batch:
        batch.add_column(sa.Column('bot_requests', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('sites') as batch:
        batch.drop_column('bot_requests')
    op.drop_table('queue_events')
