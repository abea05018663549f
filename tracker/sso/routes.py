"""Sign in through the company's OpenID provider: start, and the provider's answer."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from tracker.auth.sessions import start_session
from tracker.security import is_safe_next_url, public
from tracker.sso import client, identity
from tracker.sso.errors import SsoFailure
from tracker.sso.settings import SsoSettings

log = logging.getLogger(__name__)

bp = Blueprint("sso", __name__)


def _configured() -> SsoSettings:
    sso = client.settings()
    if sso is None:
        abort(404)
    return sso


def _failure_page(failure: SsoFailure, sso: SsoSettings):
    log.warning("Single sign-on failed (%s): %s", failure.kind, failure.log_detail)
    return render_template("auth/sso_error.html", failure=failure, sso=sso), failure.status


@bp.get("/login/sso")
@public
def start():
    sso = _configured()
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    target = request.args.get("next", "")
    session[client.NEXT_KEY] = target if is_safe_next_url(target) else ""
    try:
        return client.authorization_redirect(sso, url_for("sso.callback", _external=True))
    except SsoFailure as failure:
        return _failure_page(failure, sso)


@bp.get("/login/sso/callback")
@public
def callback():
    sso = _configured()
    try:
        claims, id_token = client.claims_from_callback(sso)
        result = identity.sign_in_with_claims(claims, sso)
    except SsoFailure as failure:
        return _failure_page(failure, sso)
    start_session(result.user)
    session[client.ID_TOKEN_KEY] = id_token
    if result.unknown_teams:
        flash(
            "Your groups name teams the tracker does not have "
            f"({', '.join(result.unknown_teams)}); an admin can see this under Users.",
            "warning",
        )
    return redirect(session.pop(client.NEXT_KEY, "") or url_for("dashboard.home"))
