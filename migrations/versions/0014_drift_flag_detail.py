"""Drift flags keep the two values that disagree, to show beside the flag.

Existing flags start without them; the next sync fills them in (and clears the flags on
finished work that the rules no longer raise).

Revision ID: 0014
Revises: 0013

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('drift_flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('drift_flags', schema=None) as batch_op:
        batch_op.alter_column('detail', existing_type=sa.Text(), server_default=None)


def downgrade():
    with op.batch_alter_table('drift_flags', schema=None) as batch_op:
        batch_op.drop_column('detail')
