"""Index mitigations by (risk, status, due date) for the dashboard's per-risk questions.

It replaces the index on risk_id alone, which is its prefix.

Revision ID: 0008
Revises: 0007

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_mitigations_risk_status_due',
        'mitigations',
        ['risk_id', 'status', 'due_date'],
        unique=False,
    )
    op.drop_index('ix_mitigations_risk_id', table_name='mitigations')


def downgrade():
    op.create_index('ix_mitigations_risk_id', 'mitigations', ['risk_id'], unique=False)
    op.drop_index('ix_mitigations_risk_status_due', table_name='mitigations')
