"""Users, their roles, and the teams they belong to."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow

ROLES = ("admin", "manager", "viewer")
ROLE_LABELS = {
    "admin": "Admin — runs the program, sees and edits everything",
    "manager": "Manager — edits their own teams' risks and mitigations",
    "viewer": "Viewer — reads the register and dashboard",
}

team_members = sa.Table(
    "team_members",
    db.metadata,
    sa.Column("team_id", sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    # The primary key serves "members of a team"; this serves "teams of a user".
    sa.Index("ix_team_members_user_id", "user_id"),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'manager', 'viewer')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16), default="viewer")
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login session id: replacing it signs the user out everywhere.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    teams: Mapped[list[Team]] = relationship(
        secondary=team_members, back_populates="members", order_by="Team.name"
    )

    # Flask-Login protocol.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(
        secondary=team_members, back_populates="teams", order_by="User.display_name"
    )

    def __repr__(self) -> str:
        return f"<Team {self.slug}>"
