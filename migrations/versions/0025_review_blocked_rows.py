"""A review's blocked work as rows: the notes (and team slug) of its frozen blocked mitigations.

The list of blocked work leaves the review's JSON document: each blocked mitigation already has
a row in review_mitigations, which now keeps its notes as they were (what it waits on is their
last line) and its team's slug, so a page reads the first of them and their count from an index.
Existing reviews are moved one at a time (format 3); the downgrade puts the lists back.

Revision ID: 0025
Revises: 0024

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

reviews = sa.table("reviews", sa.column("id", sa.Integer), sa.column("snapshot", sa.Text))


def upgrade():
    with op.batch_alter_table("review_mitigations") as batch:
        batch.add_column(sa.Column("team_slug", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("notes", sa.Text(), nullable=True))
        batch.create_index(
            "ix_review_mitigations_status",
            ["review_id", "status", "entry_position", "position"],
        )
    _move_lists_to_rows()


def downgrade():
    _move_rows_to_lists()
    with op.batch_alter_table("review_mitigations") as batch:
        batch.drop_index("ix_review_mitigations_status")
        batch.drop_column("notes")
        batch.drop_column("team_slug")


def _document(text):
    """The review's JSON document, or None when it is not one (nothing to move)."""
    try:
        document = json.loads(text or "")
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _documents(connection):
    """(id, document) of each review in turn, read one at a time."""
    ids = connection.execute(sa.select(reviews.c.id).order_by(reviews.c.id)).scalars().all()
    for review_id in ids:
        text = connection.execute(
            sa.select(reviews.c.snapshot).where(reviews.c.id == review_id)
        ).scalar_one()
        document = _document(text)
        if document is not None:
            yield review_id, document


def _save(connection, review_id, document):
    connection.execute(
        reviews.update().where(reviews.c.id == review_id).values(snapshot=json.dumps(document))
    )


def _mitigations(connection):
    return sa.Table("review_mitigations", sa.MetaData(), autoload_with=connection)


def _move_lists_to_rows():
    connection = op.get_bind()
    table = _mitigations(connection)
    update = (
        table.update()
        .where(
            table.c.review_id == sa.bindparam("review"),
            table.c.mitigation_id == sa.bindparam("mitigation"),
            table.c.status == "blocked",
        )
        .values(notes=sa.bindparam("kept_note"), team_slug=sa.bindparam("slug"))
    )
    for review_id, document in _documents(connection):
        if "blocked" not in document:
            continue
        rows = [
            {
                "review": review_id,
                "mitigation": int(item["label"].split("-")[-1]),
                "kept_note": item.get("note") or "",
                "slug": item.get("team_slug"),
            }
            for item in document.pop("blocked")
        ]
        if rows:
            connection.execute(update, rows)
        document["blocked_rows"] = True
        document["format"] = 3
        _save(connection, review_id, document)


def _last_line(notes):
    for line in reversed((notes or "").splitlines()):
        if line.strip():
            return line.strip()
    return ""


def _move_rows_to_lists():
    connection = op.get_bind()
    table = _mitigations(connection)
    entries = sa.Table("review_entries", sa.MetaData(), autoload_with=connection)
    for review_id, document in _documents(connection):
        if not document.pop("blocked_rows", False):
            continue
        rows = connection.execute(
            sa.select(table, entries.c.risk_key, entries.c.team_slug.label("risk_team_slug"))
            .join(
                entries,
                sa.and_(
                    entries.c.review_id == table.c.review_id,
                    entries.c.position == table.c.entry_position,
                ),
            )
            .where(table.c.review_id == review_id, table.c.status == "blocked")
            .order_by(table.c.entry_position, table.c.position)
        )
        document["blocked"] = [
            {
                "label": f"M-{row.mitigation_id}",
                "title": row.title,
                "risk_key": row.risk_key,
                "team": row.team_name,
                "team_slug": row.team_slug,
                "risk_team_slug": row.risk_team_slug,
                "owner": row.owner,
                "due_date": row.due_date.isoformat(),
                "note": _last_line(row.notes),
            }
            for row in rows
        ]
        document["format"] = 2
        _save(connection, review_id, document)
