"""band enrolment: bands bridges hear that are not registered; readings keep the resident who wore the band

Revision ID: 0025
Revises: 0042
Create Date: 2026-12-06 05:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unknown_bands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('rssi', sa.Integer(), nullable=True),
    sa.Column('radio', sa.String(length=80), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pressed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site_id', 'address', name='uq_unknown_band')
    )
    with op.batch_alter_table('readings') as batch:
        batch.add_column(sa.Column('resident_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_readings_resident_id', 'residents', ['resident_id'], ['id'])
        batch.create_index('ix_readings_resident_time', ['resident_id', 'measured_at'], unique=False)
    with op.batch_alter_table('reading_rollups') as batch:
        batch.add_column(sa.Column('resident_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_reading_rollups_resident_id', 'residents', ['resident_id'], ['id'])
    # Readings stored before: the band's resident now is the best knowledge there is.
    for table in ('readings', 'reading_rollups'):
        op.execute(f"UPDATE {table} SET resident_id = (SELECT wristbands.resident_id FROM wristbands "
                   f"WHERE wristbands.id = {table}.wristband_id)")


def downgrade() -> None:
    with op.batch_alter_table('reading_rollups') as batch:
        batch.drop_constraint('fk_reading_rollups_resident_id', type_='foreignkey')
        batch.drop_column('resident_id')
    with op.batch_alter_table('readings') as batch:
        batch.drop_index('ix_readings_resident_time')
        batch.drop_constraint('fk_readings_resident_id', type_='foreignkey')
        batch.drop_column('resident_id')
    op.drop_table('unknown_bands')
