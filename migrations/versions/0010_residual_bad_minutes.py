"""A risk's estimate of its bad minutes a year once mitigated (roadmap planning).

Revision ID: 0010
Revises: 0009

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risks') as batch_op:
        batch_op.add_column(sa.Column('residual_bad_minutes_per_year', sa.Double(), nullable=True))


def downgrade():
    with op.batch_alter_table('risks') as batch_op:
        batch_op.drop_column('residual_bad_minutes_per_year')
