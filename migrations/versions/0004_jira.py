"""Jira tickets and links, drift flags, sync runs and the sync lock.

Revision ID: 0004
Revises: 0003

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jira_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=120), nullable=True),
    sa.Column('status_category', sa.String(length=32), nullable=True),
    sa.Column('resolution', sa.String(length=120), nullable=True),
    sa.Column('assignee', sa.String(length=200), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('fix_versions', sa.Text(), nullable=False),
    sa.Column('updated', sa.DateTime(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=True),
    sa.Column('synced_at', sa.DateTime(), nullable=True),
    sa.Column('broken', sa.Boolean(), nullable=False),
    sa.Column('broken_reason', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jira_tickets')),
    sa.UniqueConstraint('key', name=op.f('uq_jira_tickets_key'))
    )
    with op.batch_alter_table('jira_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jira_tickets_synced_at'), ['synced_at'], unique=False)

    op.create_table('sync_locks',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_sync_locks'))
    )
    op.bulk_insert(
        sa.table("sync_locks", sa.column("name", sa.String)), [{"name": "jira"}]
    )
    op.create_table('sync_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('deployment', sa.String(length=20), nullable=True),
    sa.Column('tickets_total', sa.Integer(), nullable=False),
    sa.Column('tickets_read', sa.Integer(), nullable=False),
    sa.Column('tickets_changed', sa.Integer(), nullable=False),
    sa.Column('mitigations_changed', sa.Integer(), nullable=False),
    sa.Column('links_broken', sa.Integer(), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_runs'))
    )
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_runs_started_at'), ['started_at'], unique=False)

    op.create_table('drift_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('mitigation_id', sa.Integer(), nullable=True),
    sa.Column('ticket_key', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['mitigation_id'], ['mitigations.id'], name=op.f('fk_drift_flags_mitigation_id_mitigations')),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], name=op.f('fk_drift_flags_risk_id_risks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drift_flags'))
    )
    with op.batch_alter_table('drift_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drift_flags_mitigation_id'), ['mitigation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drift_flags_risk_id'), ['risk_id'], unique=False)

    op.create_table('jira_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=True),
    sa.Column('mitigation_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(risk_id IS NULL) <> (mitigation_id IS NULL)', name=op.f('ck_jira_links_links_one_item')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_jira_links_created_by_id_users')),
    sa.ForeignKeyConstraint(['mitigation_id'], ['mitigations.id'], name=op.f('fk_jira_links_mitigation_id_mitigations')),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], name=op.f('fk_jira_links_risk_id_risks')),
    sa.ForeignKeyConstraint(['ticket_id'], ['jira_tickets.id'], name=op.f('fk_jira_links_ticket_id_jira_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jira_links')),
    sa.UniqueConstraint('ticket_id', 'mitigation_id', name='uq_jira_links_ticket_mitigation'),
    sa.UniqueConstraint('ticket_id', 'risk_id', name='uq_jira_links_ticket_risk')
    )
    with op.batch_alter_table('jira_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jira_links_mitigation_id'), ['mitigation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jira_links_risk_id'), ['risk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jira_links_ticket_id'), ['ticket_id'], unique=False)

    with op.batch_alter_table('mitigations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_jira', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('jira_create_token', sa.String(length=64), nullable=True))



def downgrade():
    with op.batch_alter_table('mitigations', schema=None) as batch_op:
        batch_op.drop_column('jira_create_token')
        batch_op.drop_column('follow_jira')

    with op.batch_alter_table('jira_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jira_links_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_jira_links_risk_id'))
        batch_op.drop_index(batch_op.f('ix_jira_links_mitigation_id'))

    op.drop_table('jira_links')
    with op.batch_alter_table('drift_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drift_flags_risk_id'))
        batch_op.drop_index(batch_op.f('ix_drift_flags_mitigation_id'))

    op.drop_table('drift_flags')
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_runs_started_at'))

    op.drop_table('sync_runs')
    op.drop_table('sync_locks')
    with op.batch_alter_table('jira_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jira_tickets_synced_at'))

    op.drop_table('jira_tickets')
