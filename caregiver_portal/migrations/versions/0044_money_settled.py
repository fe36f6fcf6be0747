"""money settled and phone requests: line outcomes and substitutes, what the resident owes and how it was paid,
the residents' prepaid ledger, payouts to volunteers, phone-recorded requests, the site's confirmation share

Revision ID: 0044
Revises: 0006
Create Date: 2026-12-06 08:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0044'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('grocery_orders') as batch:
        batch.add_column(sa.Column('amount_due_fen', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('needs_confirmation', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('amount_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('amount_confirmed_by', sa.String(length=20), server_default='', nullable=False))
        batch.add_column(sa.Column('amount_disputed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('payment_method', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('cash_collected_fen', sa.Integer(), nullable=True))
    with op.batch_alter_table('grocery_order_lines') as batch:
        batch.add_column(sa.Column('outcome', sa.String(length=12), server_default='', nullable=False))
        batch.add_column(sa.Column('substitute_name', sa.String(length=50), server_default='', nullable=False))
        batch.add_column(sa.Column('substitute_price_fen', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('substitute_answer', sa.String(length=10), server_default='', nullable=False))
    with op.batch_alter_table('sites') as batch:
        batch.add_column(sa.Column('settle_confirm_percent', sa.Integer(), server_default='20', nullable=False))
    op.create_table('resident_balance_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['grocery_orders.id'], ),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_id', 'kind', name='uq_balance_order_kind')
    )
    op.create_index('ix_balance_resident_time', 'resident_balance_entries', ['resident_id', 'created_at'],
                    unique=False)
    op.create_table('volunteer_payouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_payout_user_month', 'volunteer_payouts', ['user_id', 'month'], unique=False)
    op.create_table('phone_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('token', sa.String(length=100), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token')
    )
    op.create_index('ix_phone_requests_resident', 'phone_requests', ['resident_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_phone_requests_resident', table_name='phone_requests')
    op.drop_table('phone_requests')
    op.drop_index('ix_payout_user_month', table_name='volunteer_payouts')
    op.drop_table('volunteer_payouts')
    op.drop_index('ix_balance_resident_time', table_name='resident_balance_entries')
    op.drop_table('resident_balance_entries')
    with op.batch_alter_table('sites') as batch:
        batch.drop_column('settle_confirm_percent')
    with op.batch_alter_table('grocery_order_lines') as batch:
        for column in ('substitute_answer', 'substitute_price_fen', 'substitute_name', 'outcome'):
            batch.drop_column(column)
    with op.batch_alter_table('grocery_orders') as batch:
        for column in ('cash_collected_fen', 'payment_method', 'amount_disputed_at', 'amount_confirmed_by',
                       'amount_confirmed_at', 'needs_confirmation', 'amount_due_fen'):
            batch.drop_column(column)
