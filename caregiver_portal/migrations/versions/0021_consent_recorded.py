"""residents.consent_recorded_at: when the resident answered the health-data consent (None: not asked)

Residents who had consented are taken to have answered when they were registered.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 12:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_recorded_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE residents SET consent_recorded_at = created_at WHERE health_consent")


def downgrade() -> None:
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.drop_column('consent_recorded_at')
