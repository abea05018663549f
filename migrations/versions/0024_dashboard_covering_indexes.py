"""Indexes for the dashboard's counts: live risks by status, open mitigations by due date,
recent changes of one field.

The dashboard's heat maps, budget, per-team bands and needs-attention counts read every live
risk and every open mitigation. Through the single-column status indexes each row cost a visit
to the table; these indexes hold every column those queries read, so they read an index range.
The count of due-date slips in the last 30 days read every change ever recorded; it now reads
the range of one field's recent changes.

Revision ID: 0024
Revises: 0023

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

RISK_COLUMNS = [
    'status',
    'archived_at',
    'team_id',
    'score',
    'likelihood',
    'impact',
    'residual_likelihood',
    'residual_impact',
    'bad_minutes_per_year',
    'owner_id',
    'next_review',
]


def upgrade():
    op.create_index('ix_risks_dashboard', 'risks', RISK_COLUMNS)
    op.create_index(
        'ix_mitigations_status_due', 'mitigations', ['status', 'due_date', 'team_id', 'risk_id']
    )
    op.create_index('ix_risk_events_field_at', 'risk_events', ['field', 'at'])


def downgrade():
    op.drop_index('ix_risk_events_field_at', table_name='risk_events')
    op.drop_index('ix_mitigations_status_due', table_name='mitigations')
    op.drop_index('ix_risks_dashboard', table_name='risks')
