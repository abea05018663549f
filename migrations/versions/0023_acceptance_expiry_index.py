"""An index on risks (status, acceptance_expires) for the acceptance-expiry check.

Every page load asks for the accepted risks whose acceptance expired; without this index the
question reads every accepted risk (tens of milliseconds at 50,000 risks), with it the answer
is an empty index range on SQLite and PostgreSQL.

Revision ID: 0023
Revises: 0022

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_risks_status_acceptance_expires', 'risks', ['status', 'acceptance_expires']
    )


def downgrade():
    op.drop_index('ix_risks_status_acceptance_expires', table_name='risks')
