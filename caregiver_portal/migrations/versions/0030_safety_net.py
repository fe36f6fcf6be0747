"""safety net (issue 16): daily check-in, silent bands, arrival on scene, care level

Revision ID: 0030
Revises: 0022
Create Date: 2026-12-06 05:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('residents') as batch:
        batch.add_column(sa.Column('care_level', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('lives_alone', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('sites') as batch:
        batch.add_column(sa.Column('checkin_counts_worn', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('wristbands') as batch:
        batch.add_column(sa.Column('last_worn_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('alerts') as batch:
        batch.add_column(sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('escalations') as batch:
        batch.add_column(sa.Column('open_fired', sa.Integer(), server_default='0', nullable=False))
    op.create_table('safety_plans',
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('checkin', sa.Boolean(), nullable=False),
    sa.Column('checkin_deadline_min', sa.Integer(), nullable=False),
    sa.Column('wear_start_min', sa.Integer(), nullable=False),
    sa.Column('wear_end_min', sa.Integer(), nullable=False),
    sa.Column('silent_after_s', sa.Integer(), nullable=False),
    sa.Column('charge_at_min', sa.Integer(), nullable=False),
    sa.Column('alerted_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], ),
    sa.PrimaryKeyConstraint('resident_id')
    )
    op.create_table('checkins',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('client_event_id', sa.String(length=100), nullable=True),
    sa.Column('wristband_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('radio', sa.String(length=80), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['wristband_id'], ['wristbands.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_id', 'client_event_id', name='uq_checkin_device_event')
    )
    op.create_index('ix_checkins_day_resident', 'checkins', ['day', 'resident_id'], unique=False)
    op.create_table('band_watch',
    sa.Column('wristband_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('battery_ref_percent', sa.Integer(), nullable=True),
    sa.Column('battery_ref_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('alerted', sa.String(length=240), nullable=False),
    sa.ForeignKeyConstraint(['wristband_id'], ['wristbands.id'], ),
    sa.PrimaryKeyConstraint('wristband_id')
    )


def downgrade() -> None:
    op.drop_table('band_watch')
    op.drop_index('ix_checkins_day_resident', table_name='checkins')
    op.drop_table('checkins')
    op.drop_table('safety_plans')
    with op.batch_alter_table('escalations') as batch:
        batch.drop_column('open_fired')
    with op.batch_alter_table('alerts') as batch:
        batch.drop_column('arrived_at')
    with op.batch_alter_table('wristbands') as batch:
        batch.drop_column('last_worn_at')
    with op.batch_alter_table('sites') as batch:
        batch.drop_column('checkin_counts_worn')
    with op.batch_alter_table('residents') as batch:
        batch.drop_column('lives_alone')
        batch.drop_column('care_level')
