"""Personal API tokens: create, list, revoke, and authenticate a request by one.

A token is shown once, when created; only its SHA-256 is stored. Tokens are long and random,
so a fast hash is enough, and finding the token by its unique hash is a single indexed query
that compares no secret in Python (nothing to time).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.paging import Page, clamp_page
from tracker.validation import ValidationError

TOKEN_PREFIX = "art_"  # noqa: S105 (the public marker of a tracker token, not a secret)
# "art_" and the first eight random characters: enough to tell tokens apart, useless to guess.
SHOWN_PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
NAME_MAX = 120
# Recording every use would write to the database on every API call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(plain: str) -> str:
    """The stored form of a token: SHA-256, hex."""
    return hashlib.sha256(plain.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it with its plain text, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError.single("name", "Name the token after what will use it.")
    if len(name) > NAME_MAX:
        raise ValidationError.single("name", f"Use at most {NAME_MAX} characters for the name.")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        token_hash=hash_token(plain),
        prefix=plain[:SHOWN_PREFIX_LENGTH],
        created_at=clock.now(),
    )
    db.session.add(token)
    db.session.commit()
    return token, plain


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, revoked ones included, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def tokens_page(user: User, page: int = 1, per_page: int = 50) -> Page:
    """One page of tokens_of(user): two queries however many tokens a script has made. A page
    past the last gives the last."""
    mine = ApiToken.user_id == user.id
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(mine))
    page = clamp_page(page, total, per_page)
    rows = db.session.scalars(
        sa.select(ApiToken)
        .where(mine)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(items=list(rows), total=total, page=page, per_page=per_page)


def find_token(token_id: int, owner: User | None = None) -> ApiToken | None:
    """The token with this id (only among `owner`'s tokens when given), or None."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (owner is not None and token.user_id != owner.id):
        return None
    return token


def revoke_token(token: ApiToken) -> bool:
    """Stop the token working from now on; False when it already was revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = clock.now()
    db.session.commit()
    return True


def authenticate(plain: str) -> User | None:
    """The active user whose live token this is, or None.

    Notes the time of use, at most once a minute per token.
    """
    if not plain or not plain.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(
        sa.select(ApiToken)
        .where(ApiToken.token_hash == hash_token(plain), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user))
    )
    if token is None or not token.user.active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return token.user
