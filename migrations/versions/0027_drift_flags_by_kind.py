"""An index for the drift page: flags by kind, oldest first, with the risk and mitigation.

The drift page counts the open flags of each kind and shows each kind's oldest first. Without
an index on kind the counts read every flag's row and each kind's first rows sorted all of that
kind; this index holds every column the counts read (kind, risk, mitigation), and its order is
the page's (kind, then first seen, then id), so a kind's first rows are the start of a range.

Revision ID: 0027
Revises: 0026

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_drift_flags_by_kind",
        "drift_flags",
        ["kind", "first_seen", "id", "risk_id", "mitigation_id"],
    )


def downgrade():
    op.drop_index("ix_drift_flags_by_kind", table_name="drift_flags")
