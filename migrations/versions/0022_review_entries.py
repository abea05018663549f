"""A review's frozen register as rows: review_entries and review_mitigations.

The ranked risks of a review (and their mitigations) move out of the review's JSON document
into rows, so a page reads only the ranks it shows and an export streams them. Existing reviews
are moved one at a time: each document's "risks" become rows and leave the document (format 2).
The downgrade puts them back.

Revision ID: 0022
Revises: 0021

"""

import json
from datetime import date

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

BATCH = 1_000
OPEN_STATUSES = ("planned", "in_progress", "blocked")

reviews = sa.table("reviews", sa.column("id", sa.Integer), sa.column("snapshot", sa.Text))
entries = sa.table(
    "review_entries",
    sa.column("review_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("risk_key", sa.String),
    sa.column("title", sa.String),
    sa.column("team_slug", sa.String),
    sa.column("team_name", sa.String),
    sa.column("owner", sa.String),
    sa.column("owner_email", sa.String),
    sa.column("status", sa.String),
    sa.column("treatment", sa.String),
    sa.column("likelihood", sa.Integer),
    sa.column("impact", sa.Integer),
    sa.column("score", sa.Integer),
    sa.column("band", sa.String),
    sa.column("residual_score", sa.Integer),
    sa.column("residual_band", sa.String),
    sa.column("bad_minutes", sa.Double),
    sa.column("overdue_mitigations", sa.Integer),
    sa.column("open_mitigations", sa.Integer),
    sa.column("drift", sa.Integer),
    sa.column("next_review", sa.Date),
    sa.column("acceptance_expires", sa.Date),
)
mitigations = sa.table(
    "review_mitigations",
    sa.column("review_id", sa.Integer),
    sa.column("entry_position", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("mitigation_id", sa.Integer),
    sa.column("title", sa.String),
    sa.column("status", sa.String),
    sa.column("due_date", sa.Date),
    sa.column("original_due_date", sa.Date),
    sa.column("slip_count", sa.Integer),
    sa.column("due_state", sa.String),
    sa.column("team_name", sa.String),
    sa.column("owner", sa.String),
)


def upgrade():
    op.create_table(
        "review_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("risk_key", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("team_slug", sa.String(length=64), nullable=False),
        sa.Column("team_name", sa.String(length=120), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=True),
        sa.Column("owner_email", sa.String(length=254), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("treatment", sa.String(length=16), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("residual_score", sa.Integer(), nullable=True),
        sa.Column("residual_band", sa.String(length=16), nullable=True),
        sa.Column("bad_minutes", sa.Double(), nullable=True),
        sa.Column("overdue_mitigations", sa.Integer(), nullable=False),
        sa.Column("open_mitigations", sa.Integer(), nullable=False),
        sa.Column("drift", sa.Integer(), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=True),
        sa.Column("acceptance_expires", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "position", name="uq_review_entries_position"),
    )
    op.create_index("ix_review_entries_key", "review_entries", ["review_id", "risk_key"])
    op.create_index(
        "ix_review_entries_team", "review_entries", ["review_id", "team_slug", "position"]
    )
    op.create_table(
        "review_mitigations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("entry_position", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("mitigation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("original_due_date", sa.Date(), nullable=False),
        sa.Column("slip_count", sa.Integer(), nullable=False),
        sa.Column("due_state", sa.String(length=16), nullable=True),
        sa.Column("team_name", sa.String(length=120), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_review_mitigations_entry",
        "review_mitigations",
        ["review_id", "entry_position", "position"],
    )
    _move_documents_to_rows()


def downgrade():
    _move_rows_to_documents()
    op.drop_index("ix_review_mitigations_entry", table_name="review_mitigations")
    op.drop_table("review_mitigations")
    op.drop_index("ix_review_entries_team", table_name="review_entries")
    op.drop_index("ix_review_entries_key", table_name="review_entries")
    op.drop_table("review_entries")


def _day(text):
    return date.fromisoformat(text) if text else None


def _document(text):
    """The review's JSON document, or None when it is not one (nothing to move)."""
    try:
        document = json.loads(text or "")
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _in_batches(connection, table, rows):
    for start in range(0, len(rows), BATCH):
        connection.execute(table.insert(), rows[start : start + BATCH])


def _entry_row(review_id, risk):
    kept = risk.get("mitigations", [])
    return {
        "review_id": review_id,
        "position": risk["position"],
        "risk_key": risk["key"],
        "title": risk["title"],
        "team_slug": risk["team_slug"],
        "team_name": risk["team_name"],
        "owner": risk.get("owner"),
        "owner_email": risk.get("owner_email"),
        "status": risk["status"],
        "treatment": risk.get("treatment") or "mitigate",
        "likelihood": risk["likelihood"],
        "impact": risk["impact"],
        "score": risk["score"],
        "band": risk["band"],
        "residual_score": risk.get("residual_score"),
        "residual_band": risk.get("residual_band"),
        "bad_minutes": risk.get("bad_minutes"),
        "overdue_mitigations": risk.get("overdue_mitigations", 0),
        "open_mitigations": sum(1 for m in kept if m["status"] in OPEN_STATUSES),
        "drift": risk.get("drift", 0),
        "next_review": _day(risk.get("next_review")),
        "acceptance_expires": _day(risk.get("acceptance_expires")),
    }


def _due_state(kept):
    if kept.get("overdue"):
        return "overdue"
    return "due_soon" if kept.get("due_soon") else None


def _mitigation_rows(review_id, risk):
    return [
        {
            "review_id": review_id,
            "entry_position": risk["position"],
            "position": number,
            "mitigation_id": m["id"],
            "title": m["title"],
            "status": m["status"],
            "due_date": _day(m["due_date"]),
            "original_due_date": _day(m.get("original_due_date") or m["due_date"]),
            "slip_count": m.get("slip_count", 0),
            "due_state": _due_state(m),
            "team_name": m["team"],
            "owner": m.get("owner"),
        }
        for number, m in enumerate(risk.get("mitigations", []), start=1)
    ]


def _review_ids(connection):
    return list(connection.execute(sa.select(reviews.c.id).order_by(reviews.c.id)).scalars())


def _move_documents_to_rows():
    """Each review in turn: its document's risks become rows and leave the document."""
    connection = op.get_bind()
    for review_id in _review_ids(connection):
        text = connection.execute(
            sa.select(reviews.c.snapshot).where(reviews.c.id == review_id)
        ).scalar_one()
        document = _document(text)
        if document is None or "risks" not in document:
            continue
        risks = document.pop("risks")
        _in_batches(connection, entries, [_entry_row(review_id, risk) for risk in risks])
        _in_batches(
            connection,
            mitigations,
            [row for risk in risks for row in _mitigation_rows(review_id, risk)],
        )
        document["format"] = 2
        connection.execute(
            reviews.update().where(reviews.c.id == review_id).values(snapshot=json.dumps(document))
        )


def _risk_of(row, kept, minutes, too_big_share, today):
    from tracker.domain import ranking

    share = None if row.bad_minutes is None else row.bad_minutes / minutes
    entry = ranking.RankInput(
        int(row.risk_key.split("-")[-1]),
        row.risk_key,
        row.band,
        row.score,
        row.bad_minutes,
        row.overdue_mitigations,
        row.next_review or today,
    )
    return {
        "position": row.position,
        "key": row.risk_key,
        "title": row.title,
        "team_slug": row.team_slug,
        "team_name": row.team_name,
        "owner": row.owner,
        "owner_email": row.owner_email,
        "status": row.status,
        "treatment": row.treatment,
        "likelihood": row.likelihood,
        "impact": row.impact,
        "score": row.score,
        "band": row.band,
        "residual_score": row.residual_score,
        "residual_band": row.residual_band,
        "bad_minutes": row.bad_minutes,
        "budget_share": share,
        "too_big": share is not None and share > too_big_share,
        "overdue_mitigations": row.overdue_mitigations,
        "next_review": row.next_review.isoformat() if row.next_review else None,
        "acceptance_expires": (
            row.acceptance_expires.isoformat() if row.acceptance_expires else None
        ),
        "drift": row.drift,
        "factors": ranking.factors(entry, today, share),
        "mitigations": kept,
    }


def _move_rows_to_documents():
    """Each review in turn: its rows go back into its document as "risks" (format 1)."""
    connection = op.get_bind()
    entry_table = sa.Table("review_entries", sa.MetaData(), autoload_with=connection)
    mitigation_table = sa.Table("review_mitigations", sa.MetaData(), autoload_with=connection)
    for review_id in _review_ids(connection):
        text = connection.execute(
            sa.select(reviews.c.snapshot).where(reviews.c.id == review_id)
        ).scalar_one()
        document = _document(text)
        if document is None or "risks" in document:
            continue
        kept = {}
        for m in connection.execute(
            sa.select(mitigation_table)
            .where(mitigation_table.c.review_id == review_id)
            .order_by(mitigation_table.c.entry_position, mitigation_table.c.position)
        ):
            kept.setdefault(m.entry_position, []).append(
                {
                    "id": m.mitigation_id,
                    "label": f"M-{m.mitigation_id}",
                    "title": m.title,
                    "status": m.status,
                    "due_date": m.due_date.isoformat(),
                    "original_due_date": m.original_due_date.isoformat(),
                    "slip_count": m.slip_count,
                    "overdue": m.due_state == "overdue",
                    "due_soon": m.due_state == "due_soon",
                    "team": m.team_name,
                    "owner": m.owner,
                }
            )
        minutes = document["budget"]["minutes"]
        too_big_share = document.get("too_big_share", 0.25)
        today = date.fromisoformat(document["today"])
        document["risks"] = [
            _risk_of(row, kept.get(row.position, []), minutes, too_big_share, today)
            for row in connection.execute(
                sa.select(entry_table)
                .where(entry_table.c.review_id == review_id)
                .order_by(entry_table.c.position)
            )
        ]
        document["format"] = 1
        connection.execute(
            reviews.update().where(reviews.c.id == review_id).values(snapshot=json.dumps(document))
        )
