"""The register's version: one row whose counter every committed change to the register
bumps (tracker/register_version.py is the only writer)."""

from __future__ import annotations

from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class RegisterVersion(db.Model):
    """A single row, id 1; its migration creates it."""

    __tablename__ = "register_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
