"""residents' voice (反映问题): problems and suggestions, assigned, closed with a reply the resident hears

Revision ID: 0053
Revises: 0052
Create Date: 2026-12-06 09:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0053'
down_revision = '0052'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resident_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_device_id', sa.Integer(), nullable=True),
    sa.Column('client_event_id', sa.String(length=100), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reply', sa.String(length=300), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('reply_heard_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('useful_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.ForeignKeyConstraint(['source_device_id'], ['devices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_device_id', 'client_event_id', name='uq_feedback_device_event')
    )
    with op.batch_alter_table('resident_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_feedback_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_index('ix_feedback_resident_reply', ['resident_id', 'closed_at', 'reply_heard_at'],
                              unique=False)
        batch_op.create_index('ix_feedback_site_time', ['site_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_table('resident_feedback')
