"""offers: who a new order is offered to and when it widens, volunteers' pause and daily limit, each site's rule

Revision ID: 0048
Revises: 0003
Create Date: 2026-12-06 08:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0048'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=10), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=60), nullable=False),
    sa.Column('user_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('widens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('widened_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subject', 'subject_id', name='uq_offer_subject')
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_widens_at'), ['widens_at'], unique=False)
    op.create_table('volunteer_offer_prefs',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('paused', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('daily_limit', sa.Integer(), nullable=True),
    sa.Column('building', sa.String(length=20), server_default='', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('offer_site_settings',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('nearest_n', sa.Integer(), nullable=False),
    sa.Column('widen_minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('site_id')
    )


def downgrade() -> None:
    op.drop_table('offer_site_settings')
    op.drop_table('volunteer_offer_prefs')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offers_widens_at'))
    op.drop_table('offers')
