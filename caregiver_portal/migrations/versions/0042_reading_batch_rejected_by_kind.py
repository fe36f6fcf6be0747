"""reading batches keep their rejected readings per kind (implausible values are refused and counted)

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-06 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reading_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejected_by_kind', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reading_batches', schema=None) as batch_op:
        batch_op.drop_column('rejected_by_kind')
