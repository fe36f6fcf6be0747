"""reading batches count the health readings withheld for want of the resident's consent

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-25 17:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reading_batches') as batch:
        batch.add_column(sa.Column('withheld', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('reading_batches') as batch:
        batch.drop_column('withheld')
