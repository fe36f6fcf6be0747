"""offers: a volunteer can pause for today only (volunteer_offer_prefs.paused_until)

Revision ID: 0050
Revises: 0049
Create Date: 2026-12-06 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0050'
down_revision = '0049'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('volunteer_offer_prefs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('volunteer_offer_prefs', schema=None) as batch_op:
        batch_op.drop_column('paused_until')
