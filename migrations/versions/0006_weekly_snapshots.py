"""Weekly snapshots of the register for the dashboard trends.

Revision ID: 0006
Revises: 0005

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('weekly_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('low', sa.Integer(), nullable=False),
    sa.Column('medium', sa.Integer(), nullable=False),
    sa.Column('high', sa.Integer(), nullable=False),
    sa.Column('critical', sa.Integer(), nullable=False),
    sa.Column('bad_minutes', sa.Double(), nullable=False),
    sa.Column('captured_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_snapshots')),
    sa.UniqueConstraint('week', 'scope', name='uq_weekly_snapshots_week_scope')
    )


def downgrade():
    op.drop_table('weekly_snapshots')
