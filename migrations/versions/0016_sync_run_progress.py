"""Sync runs: a progress line (e.g. Jira is busy, retry 1 of 3) shown while a run works.

Revision ID: 0016
Revises: 0015

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_runs') as batch_op:
        batch_op.add_column(sa.Column('progress', sa.String(length=300), nullable=True))


def downgrade():
    # Only the progress line of past runs is lost; it mattered only while they ran.
    with op.batch_alter_table('sync_runs') as batch_op:
        batch_op.drop_column('progress')
