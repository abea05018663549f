"""The last number each key series (RISK-n, …) gave out."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class KeyCounter(db.Model):
    """One row per series; tracker/numbering.py is the only writer."""

    __tablename__ = "key_counters"

    series: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)
