"""time bank rules: a scheme per site, resident holders, stable entry ids, origin of imported lines, redemptions

Revision ID: 0052
Revises: 0003
Create Date: 2026-12-06 09:00:00
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = '0052'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('timebank_schemes',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('points_per_hour', sa.Integer(), nullable=False),
    sa.Column('cap_hours', sa.Integer(), nullable=True),
    sa.Column('star_hours', sa.String(length=100), nullable=False),
    sa.Column('expiry_months', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('site_id')
    )
    with op.batch_alter_table('points_ledger', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uid', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('resident_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('origin', sa.String(length=100), server_default='', nullable=False))
    ledger = sa.table('points_ledger', sa.column('id', sa.Integer()), sa.column('uid', sa.String()))
    connection = op.get_bind()
    for (entry_id,) in connection.execute(sa.select(ledger.c.id)).all():
        connection.execute(ledger.update().where(ledger.c.id == entry_id).values(uid=f"anxin-{uuid.uuid4().hex}"))
    with op.batch_alter_table('points_ledger', schema=None) as batch_op:
        batch_op.alter_column('uid', existing_type=sa.String(length=80), nullable=False)
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint('uq_points_site_uid', ['site_id', 'uid'])
        batch_op.create_unique_constraint('uq_points_resident_service_ref', ['resident_id', 'service', 'ref_id'])
        batch_op.create_foreign_key('fk_points_ledger_resident_id', 'residents', ['resident_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_points_ledger_resident_id'), ['resident_id'], unique=False)
        batch_op.create_check_constraint('ck_points_one_holder', '(user_id IS NULL) <> (resident_id IS NULL)')
    op.create_table('redemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('reward_name', sa.String(length=100), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('source_device_id', sa.Integer(), nullable=True),
    sa.Column('client_event_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('given_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['points_ledger.id'], ),
    sa.ForeignKeyConstraint(['given_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.ForeignKeyConstraint(['source_device_id'], ['devices.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_device_id', 'client_event_id', name='uq_redemption_device_event')
    )
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redemptions_site_id'), ['site_id'], unique=False)


def downgrade() -> None:
    op.drop_table('redemptions')
    with op.batch_alter_table('points_ledger', schema=None) as batch_op:
        batch_op.drop_constraint('ck_points_one_holder', type_='check')
        batch_op.drop_index(batch_op.f('ix_points_ledger_resident_id'))
        batch_op.drop_constraint('fk_points_ledger_resident_id', type_='foreignkey')
        batch_op.drop_constraint('uq_points_resident_service_ref', type_='unique')
        batch_op.drop_constraint('uq_points_site_uid', type_='unique')
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('origin')
        batch_op.drop_column('resident_id')
        batch_op.drop_column('uid')
    op.drop_table('timebank_schemes')
