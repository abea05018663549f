"""A risk's mitigation work state ("none", "open", "done"), stored on the risk and indexed.

The dashboard's "risks to mitigate with no mitigation" and "mitigations complete, not
re-scored" asked every risk in the register about its mitigations, each time the figures were
computed. The answer is now a column the app keeps current on every change to a mitigation
(tracker.mitigations.work_state), filled here from the mitigations, with an index that makes
both lists ranges.

Revision ID: 0028
Revises: 0027

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

OPEN_STATUSES = "('planned', 'in_progress', 'blocked')"
FILL = f"""
UPDATE risks SET mitigation_work = CASE
    WHEN EXISTS (SELECT 1 FROM mitigations m
                 WHERE m.risk_id = risks.id AND m.status IN {OPEN_STATUSES}) THEN 'open'
    WHEN EXISTS (SELECT 1 FROM mitigations m
                 WHERE m.risk_id = risks.id AND m.status = 'done') THEN 'done'
    ELSE 'none'
END
"""
COLUMNS = ["mitigation_work", "status", "treatment", "archived_at", "team_id", "score", "number"]


def upgrade():
    with op.batch_alter_table("risks") as batch_op:
        batch_op.add_column(
            sa.Column("mitigation_work", sa.String(8), nullable=False, server_default="none")
        )
        batch_op.create_check_constraint(
            op.f("ck_risks_mitigation_work_known"), "mitigation_work IN ('none', 'open', 'done')"
        )
    op.execute(FILL)
    op.create_index("ix_risks_mitigation_work", "risks", COLUMNS)


def downgrade():
    op.drop_index("ix_risks_mitigation_work", table_name="risks")
    with op.batch_alter_table("risks") as batch_op:
        batch_op.drop_constraint(op.f("ck_risks_mitigation_work_known"), type_="check")
        batch_op.drop_column("mitigation_work")
