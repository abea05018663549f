"""The team's open work counted from an index: (team, status, due date, risk) on mitigations.

My teams counts a team's open mitigations by group (overdue, due soon, later), leaving out
those of archived risks. The index on (team, status, due date) found the rows but had to read
each one from the table for its risk; with the risk in the index the count reads the index
alone. It replaces the narrower index, which it serves in every use.

Revision ID: 0026
Revises: 0025

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_mitigations_team_status_due_risk',
        'mitigations',
        ['team_id', 'status', 'due_date', 'risk_id'],
    )
    op.drop_index('ix_mitigations_team_status_due', table_name='mitigations')


def downgrade():
    op.create_index(
        'ix_mitigations_team_status_due', 'mitigations', ['team_id', 'status', 'due_date']
    )
    op.drop_index('ix_mitigations_team_status_due_risk', table_name='mitigations')
