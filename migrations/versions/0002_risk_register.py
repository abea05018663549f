"""Risk register: categories (with the defaults), tags, risks and their audit events.

Revision ID: 0002
Revises: 0001

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


DEFAULT_CATEGORIES = [
    ("infrastructure", "Infrastructure"),
    ("deploy", "Deploy and change"),
    ("dependency", "Dependency and third party"),
    ("capacity", "Capacity"),
    ("data", "Data"),
    ("security", "Security"),
    ("process", "Process"),
]


def upgrade():
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('slug', name=op.f('uq_categories_slug'))
    )
    categories = sa.table(
        "categories",
        sa.column("slug", sa.String),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        categories,
        [
            {"slug": slug, "name": name, "position": position}
            for position, (slug, name) in enumerate(DEFAULT_CATEGORIES)
        ],
    )
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('name', name=op.f('uq_tags_name'))
    )
    op.create_table('risks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=120), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('likelihood', sa.Integer(), nullable=False),
    sa.Column('impact', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('residual_likelihood', sa.Integer(), nullable=False),
    sa.Column('residual_impact', sa.Integer(), nullable=False),
    sa.Column('residual_score', sa.Integer(), nullable=False),
    sa.Column('treatment', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('next_review', sa.Date(), nullable=False),
    sa.Column('ettd_minutes', sa.Double(), nullable=True),
    sa.Column('ettr_minutes', sa.Double(), nullable=True),
    sa.Column('users_impacted', sa.Double(), nullable=True),
    sa.Column('ettf_days', sa.Double(), nullable=True),
    sa.Column('bad_minutes_per_year', sa.Double(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('acceptance_expires', sa.Date(), nullable=True),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'mitigating', 'mitigated', 'accepted', 'closed')", name=op.f('ck_risks_status_known')),
    sa.CheckConstraint("treatment IN ('mitigate', 'accept', 'avoid', 'transfer')", name=op.f('ck_risks_treatment_known')),
    sa.CheckConstraint('ettf_days > 0', name=op.f('ck_risks_ettf_positive')),
    sa.CheckConstraint('impact BETWEEN 1 AND 5', name=op.f('ck_risks_impact_on_scale')),
    sa.CheckConstraint('likelihood BETWEEN 1 AND 5', name=op.f('ck_risks_likelihood_on_scale')),
    sa.CheckConstraint('residual_impact BETWEEN 1 AND 5', name=op.f('ck_risks_residual_impact_on_scale')),
    sa.CheckConstraint('residual_likelihood BETWEEN 1 AND 5', name=op.f('ck_risks_residual_likelihood_on_scale')),
    sa.CheckConstraint('users_impacted BETWEEN 0 AND 1', name=op.f('ck_risks_users_impacted_share')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_risks_accepted_by_id_users')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_risks_category_id_categories')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_risks_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_risks_owner_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_risks_team_id_teams')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_risks_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risks')),
    sa.UniqueConstraint('number', name=op.f('uq_risks_number'))
    )
    with op.batch_alter_table('risks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risks_archived_at'), ['archived_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_risks_bad_minutes_per_year'), ['bad_minutes_per_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_risks_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risks_next_review'), ['next_review'], unique=False)
        batch_op.create_index(batch_op.f('ix_risks_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risks_residual_score'), ['residual_score'], unique=False)
        batch_op.create_index(batch_op.f('ix_risks_score'), ['score'], unique=False)
        batch_op.create_index(batch_op.f('ix_risks_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_risks_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risks_updated_at'), ['updated_at'], unique=False)

    op.create_table('risk_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_risk_events_actor_id_users')),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], name=op.f('fk_risk_events_risk_id_risks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_events'))
    )
    with op.batch_alter_table('risk_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_events_risk_id'), ['risk_id'], unique=False)

    op.create_table('risk_tags',
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], name=op.f('fk_risk_tags_risk_id_risks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_risk_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('risk_id', 'tag_id', name=op.f('pk_risk_tags'))
    )
    with op.batch_alter_table('risk_tags', schema=None) as batch_op:
        batch_op.create_index('ix_risk_tags_tag_id', ['tag_id'], unique=False)



def downgrade():
    with op.batch_alter_table('risk_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_tags_tag_id')

    op.drop_table('risk_tags')
    with op.batch_alter_table('risk_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_events_risk_id'))

    op.drop_table('risk_events')
    with op.batch_alter_table('risks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risks_updated_at'))
        batch_op.drop_index(batch_op.f('ix_risks_team_id'))
        batch_op.drop_index(batch_op.f('ix_risks_status'))
        batch_op.drop_index(batch_op.f('ix_risks_score'))
        batch_op.drop_index(batch_op.f('ix_risks_residual_score'))
        batch_op.drop_index(batch_op.f('ix_risks_owner_id'))
        batch_op.drop_index(batch_op.f('ix_risks_next_review'))
        batch_op.drop_index(batch_op.f('ix_risks_category_id'))
        batch_op.drop_index(batch_op.f('ix_risks_bad_minutes_per_year'))
        batch_op.drop_index(batch_op.f('ix_risks_archived_at'))

    op.drop_table('risks')
    op.drop_table('tags')
    op.drop_table('categories')
