"""list indexes: orders by site and time (and state), residents by site and room and by grid, a volunteer's
claims and acceptances per day, a volunteer's ledger by time

Revision ID: 0049
Revises: 0048
Create Date: 2026-12-06 09:00:00
"""

from alembic import op

revision = '0049'
down_revision = '0048'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_grocery_orders_site_created', 'grocery_orders', ['site_id', 'created_at']),
    ('ix_grocery_orders_site_state_created', 'grocery_orders', ['site_id', 'state', 'created_at']),
    ('ix_grocery_orders_claimer_time', 'grocery_orders', ['claimed_by_id', 'claimed_at']),
    ('ix_residents_site_room', 'residents', ['site_id', 'room', 'id']),
    ('ix_residents_grid', 'residents', ['grid_id']),
    ('ix_alerts_acceptor_time', 'alerts', ['accepted_by_id', 'accepted_at']),
    ('ix_points_user_time', 'points_ledger', ['user_id', 'created_at']),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
