"""An index for the priority order: live risks by score, then bad minutes, most first.

The register, the API and the dashboard in priority order rank a page among the risks at or
above the page's last (score, bad minutes); without an index in that order every risk tied at
a score was read and sorted, thousands in a large register. PostgreSQL's form says DESC NULLS
LAST; SQLite walks a plain ascending index backwards in that order (as 0015's).

Revision ID: 0029
Revises: 0028

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

COLUMNS = {
    "postgresql": ["score DESC", "bad_minutes_per_year DESC NULLS LAST"],
    "sqlite": ["score", "bad_minutes_per_year"],
}


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_index(
        "ix_risks_priority",
        "risks",
        [sa.text(column) for column in COLUMNS[dialect]],
        postgresql_where=sa.text("archived_at IS NULL"),
        sqlite_where=sa.text("archived_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_risks_priority", table_name="risks")
