"""the notification outbox also carries notices that belong to no alert (activity reminders)

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-26 10:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications') as batch:
        batch.alter_column('alert_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Notices cannot be kept without an alert: they are dropped (delivered or not).
    op.execute("DELETE FROM notifications WHERE alert_id IS NULL")
    with op.batch_alter_table('notifications') as batch:
        batch.alter_column('alert_id', existing_type=sa.Integer(), nullable=False)
