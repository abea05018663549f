"""Incidents read from Jira: the issue's key, what Jira last said, drift and absence; and
how many incidents each sync run read and changed.

Revision ID: 0018
Revises: 0017

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incidents') as batch_op:
        batch_op.add_column(sa.Column('jira_key', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('jira_values', sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column('jira_drift', sa.String(length=200), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('jira_gone_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_incidents_jira_key'), ['jira_key'])
        batch_op.create_index(batch_op.f('ix_incidents_jira_drift'), ['jira_drift'], unique=False)
    with op.batch_alter_table('sync_runs') as batch_op:
        batch_op.add_column(
            sa.Column('incidents_read', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.add_column(
            sa.Column('incidents_changed', sa.Integer(), nullable=False, server_default='0')
        )


def downgrade():
    # Incidents read from Jira stay, as incidents of the tracker; only the link to their issue
    # (and what the sync knew of it) is lost.
    with op.batch_alter_table('sync_runs') as batch_op:
        batch_op.drop_column('incidents_changed')
        batch_op.drop_column('incidents_read')
    with op.batch_alter_table('incidents') as batch_op:
        batch_op.drop_index(batch_op.f('ix_incidents_jira_drift'))
        batch_op.drop_constraint(batch_op.f('uq_incidents_jira_key'), type_='unique')
        batch_op.drop_column('jira_gone_at')
        batch_op.drop_column('jira_drift')
        batch_op.drop_column('jira_values')
        batch_op.drop_column('jira_key')
