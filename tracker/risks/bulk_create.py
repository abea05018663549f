"""Creating many risks at once (a CSV import of thousands of rows).

The risks, their tags and their "created" history rows go in with one INSERT per table
(executemany), not object by object through the session's unit of work, whose bookkeeping
was most of a big import's time. What is written is what services.create_risk writes for
each: the same derived figures, version 1, the creator, the history row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from tracker import clock
from tracker.extensions import db
from tracker.history import display_value
from tracker.models import Risk, RiskEvent, Tag, User, risk_tags
from tracker.risks.keys import format_key
from tracker.risks.services import derived_figures

# Cleaned values that are rows of other tables, and the risk's column that holds their id.
RELATED = {"category": "category_id", "team": "team_id", "owner": "owner_id"}


def stage_new_rows(rows: Sequence, tags: Mapping[str, Tag]) -> None:
    """Add to the session what the new risks refer to but the session does not hold yet (a
    tag or team the file names first), so the next flush gives each its id."""
    made = [tag for tag in tags.values() if sa.inspect(tag).transient]
    for row in rows:
        made += [
            value
            for name in RELATED
            if (value := row.values.get(name)) is not None and sa.inspect(value).transient
        ]
    db.session.add_all(made)


def insert_risks(
    rows: Sequence[Mapping[str, object]],
    first_number: int,
    actor: User | None,
    reason: str,
    tags: Mapping[str, Tag],
) -> list[str]:
    """Insert a new risk for each cleaned `rows` entry, numbered from `first_number` (numbers
    the caller reserved), with its tags (by name in `tags`) and history; return their keys.
    The related records and tags must have ids (flushed). Nothing is committed."""
    now, actor_id = clock.now(), actor.id if actor else None
    numbers = range(first_number, first_number + len(rows))
    records = []
    for values, number in zip(rows, numbers, strict=True):
        record = {
            RELATED.get(name, name): _stored(name, value)
            for name, value in values.items()
            if name != "tags"
        }
        record.update(derived_figures(values.get))
        record.update(
            number=number,
            version=1,
            created_by_id=actor_id,
            updated_by_id=actor_id,
            created_at=now,
            updated_at=now,
        )
        records.append(record)
    db.session.execute(sa.insert(Risk), records)
    ids = dict(
        db.session.execute(
            sa.select(Risk.number, Risk.id).where(Risk.number.between(numbers[0], numbers[-1]))
        ).all()
    )
    tagged = [
        {"risk_id": ids[number], "tag_id": tags[name].id}
        for values, number in zip(rows, numbers, strict=True)
        for name in dict.fromkeys(values.get("tags") or ())
    ]
    if tagged:
        db.session.execute(sa.insert(risk_tags), tagged)
    keys = [format_key(number) for number in numbers]
    db.session.execute(
        sa.insert(RiskEvent),
        [
            {
                "risk_id": ids[number],
                "mitigation_id": None,
                "actor_id": actor_id,
                "at": now,
                "version": 1,
                "field": "created",
                "old_value": None,
                "new_value": display_value(key),
                "reason": reason,
            }
            for number, key in zip(numbers, keys, strict=True)
        ],
    )
    return keys


def _stored(name: str, value):
    if name in RELATED:
        return None if value is None else value.id
    return value
