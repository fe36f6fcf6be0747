"""alerts: the press time is the time (occurred_at always set; created_at renamed received_at)

Revision ID: 0016
Revises: 0042
Create Date: 2026-12-06 05:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE alerts SET occurred_at = created_at WHERE occurred_at IS NULL OR occurred_at > created_at")
    with op.batch_alter_table('alerts') as batch:
        batch.alter_column('created_at', new_column_name='received_at', existing_type=sa.DateTime(timezone=True),
                           existing_nullable=False)
        batch.alter_column('occurred_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_index('ix_alerts_site_occurred', ['site_id', 'occurred_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alerts') as batch:
        batch.drop_index('ix_alerts_site_occurred')
        batch.alter_column('occurred_at', existing_type=sa.DateTime(timezone=True), nullable=True)
        batch.alter_column('received_at', new_column_name='created_at', existing_type=sa.DateTime(timezone=True),
                           existing_nullable=False)
