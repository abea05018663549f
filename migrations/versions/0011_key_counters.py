"""Key counters: the last number each key series (RISK-n, …) gave out.

Creates take their numbers from here (tracker/numbering.py), so simultaneous creates no longer
race for max(number) + 1. The risks' counter starts at the highest number in use.

Revision ID: 0011
Revises: 0010

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'key_counters',
        sa.Column('series', sa.String(length=40), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('series', name=op.f('pk_key_counters')),
    )
    op.execute(
        "INSERT INTO key_counters (series, last_number) "
        "SELECT 'risks', COALESCE(MAX(number), 0) FROM risks"
    )


def downgrade():
    # Nothing is lost: the next allocation starts after the highest number in use again.
    op.drop_table('key_counters')
