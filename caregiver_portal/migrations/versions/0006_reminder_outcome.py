"""activity reminders record how they were handled (sent, no_channel, overdue)

Community branch.

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-26 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('activity_reminders') as batch:
        batch.add_column(sa.Column('outcome', sa.String(length=20), server_default='', nullable=False))
    # Reminders handled before this revision were delivered by whoever set sent_at.
    op.execute("UPDATE activity_reminders SET outcome = 'sent' WHERE sent_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('activity_reminders') as batch:
        batch.drop_column('outcome')
