"""The register's score and residual sort indexes on SQLite too.

PostgreSQL has had them since 0013 (DESC NULLS LAST). SQLite cannot say NULLS LAST in an index,
but walks a plain ascending index backwards in exactly the register's order (descending, empty
values last, newest key first).

Revision ID: 0015
Revises: 0014

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_risks_register_by_score': ['score', 'residual_score', 'number'],
    'ix_risks_register_by_residual': ['residual_score', 'score', 'number'],
}


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name, columns in INDEXES.items():
        op.create_index(
            name, 'risks', columns, sqlite_where=sa.text('archived_at IS NULL')
        )


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name in INDEXES:
        op.drop_index(name, table_name='risks')
