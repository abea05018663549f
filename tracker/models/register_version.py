"""The register's version: one row whose counter every committed change to the register
bumps (tracker/register_version.py is the only writer)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class RegisterVersion(db.Model):
    """A single row, named "register"; its migration creates it."""

    __tablename__ = "register_version"

    name: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
