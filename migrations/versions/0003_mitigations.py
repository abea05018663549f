"""Mitigations of risks, and mitigation changes in the risk history.

Revision ID: 0003
Revises: 0002

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mitigations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('original_due_date', sa.Date(), nullable=False),
    sa.Column('slip_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'in_progress', 'blocked', 'done', 'cancelled')", name=op.f('ck_mitigations_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mitigations_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_mitigations_owner_id_users')),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], name=op.f('fk_mitigations_risk_id_risks')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_mitigations_team_id_teams')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_mitigations_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mitigations'))
    )
    with op.batch_alter_table('mitigations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mitigations_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_mitigations_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mitigations_risk_id'), ['risk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mitigations_status'), ['status'], unique=False)
        batch_op.create_index('ix_mitigations_team_status_due', ['team_id', 'status', 'due_date'], unique=False)

    with op.batch_alter_table('risk_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mitigation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_risk_events_mitigation_id'), ['mitigation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_risk_events_mitigation_id_mitigations'), 'mitigations', ['mitigation_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('risk_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_risk_events_mitigation_id_mitigations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_risk_events_mitigation_id'))
        batch_op.drop_column('mitigation_id')

    with op.batch_alter_table('mitigations', schema=None) as batch_op:
        batch_op.drop_index('ix_mitigations_team_status_due')
        batch_op.drop_index(batch_op.f('ix_mitigations_status'))
        batch_op.drop_index(batch_op.f('ix_mitigations_risk_id'))
        batch_op.drop_index(batch_op.f('ix_mitigations_owner_id'))
        batch_op.drop_index(batch_op.f('ix_mitigations_due_date'))

    op.drop_table('mitigations')
