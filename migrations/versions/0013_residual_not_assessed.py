"""A risk's residual may be "not assessed" (NULL), and the register's sorts get indexes.

Existing risks keep their residual levels. On PostgreSQL two indexes match the register's
score and residual sorts (DESC NULLS LAST), so a page of the register reads them in order.

Revision ID: 0013
Revises: 0012

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

ALL_OR_NONE = (
    "(residual_likelihood IS NULL AND residual_impact IS NULL AND residual_score IS NULL)"
    " OR (residual_likelihood IS NOT NULL AND residual_impact IS NOT NULL"
    " AND residual_score IS NOT NULL)"
)


def upgrade():
    with op.batch_alter_table('risks', schema=None) as batch_op:
        for column in ('residual_likelihood', 'residual_impact', 'residual_score'):
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(op.f('ck_risks_residual_all_or_none'), ALL_OR_NONE)
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index(
            'ix_risks_register_by_score',
            'risks',
            [sa.text('score DESC NULLS LAST'), sa.text('residual_score DESC NULLS LAST'),
             sa.text('number DESC')],
            postgresql_where=sa.text('archived_at IS NULL'),
        )
        op.create_index(
            'ix_risks_register_by_residual',
            'risks',
            [sa.text('residual_score DESC NULLS LAST'), sa.text('score DESC NULLS LAST'),
             sa.text('number DESC')],
            postgresql_where=sa.text('archived_at IS NULL'),
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_risks_register_by_residual', table_name='risks')
        op.drop_index('ix_risks_register_by_score', table_name='risks')
    # A residual not assessed goes back to the old default: the inherent levels.
    op.execute(
        "UPDATE risks SET residual_likelihood = likelihood, residual_impact = impact,"
        " residual_score = score WHERE residual_score IS NULL"
    )
    with op.batch_alter_table('risks', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_risks_residual_all_or_none'), type_='check')
        for column in ('residual_likelihood', 'residual_impact', 'residual_score'):
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=False)
