"""Sign in, sign out, and change one's own password."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from tracker.accounts import services as accounts
from tracker.auth import services
from tracker.auth.forms import ChangePasswordForm, LoginForm
from tracker.auth.sessions import end_session, renew_session, start_session
from tracker.forms import PostForm, apply_errors
from tracker.security import is_safe_next_url, public
from tracker.sso import client as sso_client
from tracker.sso.settings import password_login_mode
from tracker.validation import ValidationError

bp = Blueprint("auth", __name__)


def _login_page(form: LoginForm, status: int):
    return render_template(
        "auth/login.html",
        form=form,
        sso=sso_client.settings(),
        password_login=password_login_mode(current_app.config),
    ), status


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("dashboard.home"))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        except services.SignInRefused as refused:
            form.form_errors.append(str(refused))
            return _login_page(form, 401)
        start_session(user)
        target = form.next.data
        return redirect(target if is_safe_next_url(target) else url_for("dashboard.home"))
    return _login_page(form, 400 if form.errors else 200)


@bp.post("/logout")
def logout():
    if not PostForm().validate_on_submit():
        return redirect(url_for("auth.login"))
    id_token = session.pop(sso_client.ID_TOKEN_KEY, None)
    end_session()
    flash("You are signed out.", "info")
    provider_logout = sso_client.end_session_url(id_token, url_for("auth.login", _external=True))
    if provider_logout is None:
        return redirect(url_for("auth.login"))
    # A meta refresh, not a redirect: the Content-Security-Policy's form-action forbids a
    # form's POST from being redirected to another site.
    return render_template(
        "auth/signed_out.html", provider_logout=provider_logout, sso=sso_client.settings()
    )


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_own_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except ValidationError as exc:
            apply_errors(form, exc, renames={"password": "new_password"})
        else:
            # The password change ended every session; carry this one over.
            renew_session(current_user._get_current_object())
            flash("Your password is changed; other sessions are signed out.", "success")
            return redirect(url_for("dashboard.home"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200
