"""on-call roster: weekly shifts and leave replace users.on_duty

Who escalation calls now comes from each user's weekly shifts (on_call_shifts) and leave
(on_call_leaves). Users on duty before, and every grid worker (they were always called), are
put on call around the clock, so nobody called yesterday is forgotten today.

Revision ID: 0020
Revises: 0007
Create Date: 2026-12-06 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('on_call_shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('on_call_shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_on_call_shifts_user_id'), ['user_id'], unique=False)
    op.create_table('on_call_leaves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('on_call_leaves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_on_call_leaves_user_id'), ['user_id'], unique=False)
    for weekday in range(7):
        op.execute(sa.text(
            "INSERT INTO on_call_shifts (user_id, weekday, start_minute, end_minute) "
            "SELECT id, :weekday, 0, 1440 FROM users "
            "WHERE (role = 'volunteer' AND on_duty) OR role = 'caregiver'").bindparams(weekday=weekday))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('on_duty')


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_duty', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE users SET on_duty = TRUE WHERE id IN (SELECT user_id FROM on_call_shifts)")
    with op.batch_alter_table('on_call_leaves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_on_call_leaves_user_id'))
    op.drop_table('on_call_leaves')
    with op.batch_alter_table('on_call_shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_on_call_shifts_user_id'))
    op.drop_table('on_call_shifts')
