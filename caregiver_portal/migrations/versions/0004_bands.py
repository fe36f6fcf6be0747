"""wristband status: the latest state each bridge reports per wristband

A branch of its own (label "bands") so it applies independently of the core and community
branches.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-25 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0001'
branch_labels = ('bands',)
depends_on = None


def upgrade() -> None:
    op.create_table('band_status',
    sa.Column('wristband_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('connected', sa.Boolean(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rssi', sa.Integer(), nullable=True),
    sa.Column('battery_percent', sa.Integer(), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.ForeignKeyConstraint(['wristband_id'], ['wristbands.id'], ),
    sa.PrimaryKeyConstraint('wristband_id')
    )
    with op.batch_alter_table('band_status', schema=None) as batch_op:
        batch_op.create_index('ix_band_status_site_seen', ['site_id', 'last_seen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('band_status', schema=None) as batch_op:
        batch_op.drop_index('ix_band_status_site_seen')
    op.drop_table('band_status')
