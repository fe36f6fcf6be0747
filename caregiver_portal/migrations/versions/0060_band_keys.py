"""bands: the decoder of each wristband, its key (sealed), the radio that heard it and suspicious frames

Revision ID: 0060
Revises: 0004
Create Date: 2026-12-06 03:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0060'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('wristbands') as batch:
        batch.add_column(sa.Column('scheme', sa.String(length=16), server_default='anxin', nullable=False))
    op.create_table('band_keys',
    sa.Column('wristband_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['wristband_id'], ['wristbands.id'], ),
    sa.PrimaryKeyConstraint('wristband_id')
    )
    with op.batch_alter_table('band_status') as batch:
        batch.add_column(sa.Column('radio', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('suspicious_total', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('suspicious_radio', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('suspicious_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('band_status') as batch:
        batch.drop_column('suspicious_at')
        batch.drop_column('suspicious_radio')
        batch.drop_column('suspicious_total')
        batch.drop_column('radio')
    op.drop_table('band_keys')
    with op.batch_alter_table('wristbands') as batch:
        batch.drop_column('scheme')
