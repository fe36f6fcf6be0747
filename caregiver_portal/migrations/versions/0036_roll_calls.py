"""roll calls: a call per grid or site, one entry per resident, and the event log the live list follows

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('roll_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('escalate_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roll_calls', schema=None) as batch_op:
        batch_op.create_index('ix_roll_calls_due', ['closed_at', 'escalate_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_roll_calls_site_id'), ['site_id'], unique=False)
    op.create_table('roll_call_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roll_call_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], ),
    sa.ForeignKeyConstraint(['roll_call_id'], ['roll_calls.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('roll_call_id', 'resident_id')
    )
    with op.batch_alter_table('roll_call_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roll_call_entries_resident_id'), ['resident_id'], unique=False)
    op.create_table('roll_call_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('roll_call_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('client_event_id', sa.String(length=100), nullable=True),
    sa.Column('answer', sa.String(length=10), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['roll_call_entries.id'], ),
    sa.ForeignKeyConstraint(['roll_call_id'], ['roll_calls.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_id', 'client_event_id', name='uq_roll_call_event_device_event')
    )
    with op.batch_alter_table('roll_call_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roll_call_events_roll_call_id'), ['roll_call_id'], unique=False)


def downgrade() -> None:
    op.drop_table('roll_call_events')
    op.drop_table('roll_call_entries')
    with op.batch_alter_table('roll_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roll_calls_site_id'))
        batch_op.drop_index('ix_roll_calls_due')
    op.drop_table('roll_calls')
