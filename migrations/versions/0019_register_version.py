"""The register's version: a one-row counter every change to the register bumps, which
tells cached dashboard figures whether they are current.

Revision ID: 0019
Revises: 0018

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "register_version",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_register_version")),
    )
    op.bulk_insert(table, [{"name": "register", "version": 0}])


def downgrade():
    op.drop_table("register_version")
