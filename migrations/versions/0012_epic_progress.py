"""How many of a linked ticket's child issues are done, of how many (epic progress).

Revision ID: 0012
Revises: 0011

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jira_tickets') as batch_op:
        batch_op.add_column(sa.Column('children_done', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('children_total', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('jira_tickets') as batch_op:
        batch_op.drop_column('children_total')
        batch_op.drop_column('children_done')
