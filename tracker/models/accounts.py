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
    # None for people who only ever signed in through the identity provider.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16), default="viewer")
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login session id: replacing it signs the user out everywhere.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The identity provider's subject: who this is at the provider, whatever their email.
    oidc_subject: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The groups in the last ID token; None when the provider has never sent any.
    oidc_groups: Mapped[list[str] | None] = mapped_column(sa.JSON)
    # An admin set the role by hand: the provider's groups no longer change it until cleared.
    role_overridden: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    teams: Mapped[list[Team]] = relationship(
        secondary=team_members, back_populates="members", order_by="Team.name"
    )

    @property
    def sign_in_methods(self) -> str:
        """How this user can sign in: "password", "SSO", "both" or "none"."""
        methods = [
            name
            for name, present in (("password", self.password_hash), ("SSO", self.oidc_subject))
            if present
        ]
        return "both" if len(methods) == 2 else (methods[0] if methods else "none")

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


class UserEvent(db.Model):
    """One change to a user's role, teams, email or state: when, by whom, old → new."""

    __tablename__ = "user_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The admin who made it; None when the identity provider (or the command line) did.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    by_provider: Mapped[bool] = mapped_column(default=False)
    field: Mapped[str] = mapped_column(sa.String(40))
    old_value: Mapped[str | None] = mapped_column(sa.Text)
    new_value: Mapped[str | None] = mapped_column(sa.Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
