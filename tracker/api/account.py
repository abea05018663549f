"""The "API tokens" page: each signed-in user creates, sees and revokes their own tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length

from tracker import confirm
from tracker.api import tokens
from tracker.forms import PostForm, apply_errors, too_long
from tracker.paging import page_number
from tracker.validation import ValidationError

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")

# A script that makes a token per run leaves thousands; the page shows them 50 at a time.
PER_PAGE = 50


class TokenForm(FlaskForm):
    name = StringField(
        "Name",
        description="What will use the token, e.g. “weekly report script”.",
        validators=[
            InputRequired("Name the token."),
            Length(max=tokens.NAME_MAX, message=too_long(tokens.NAME_MAX)),
        ],
    )
    submit = SubmitField("Create token")


def _page(form: TokenForm, new_token: str | None = None, status: int = 200):
    page = render_template(
        "api/tokens.html",
        form=form,
        revoke_form=PostForm(formdata=None),
        tokens=tokens.tokens_page(current_user, page_number(request.args.get("page")), PER_PAGE),
        new_token=new_token,
    )
    return page, status


@bp.get("")
def index():
    return _page(TokenForm(formdata=None))


@bp.post("")
def create():
    """Create a token and show it on this response only: it is never stored in plain text."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            _, plain = tokens.create_token(current_user, form.name.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _page(TokenForm(formdata=None), new_token=plain)
    return _page(form, status=400)


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    token = tokens.find_token(token_id, owner=current_user)
    if token is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    # Back to the page of tokens the button was on.
    back = url_for("tokens.index", page=request.args.get("page", type=int))
    if not confirm.confirmed():
        return confirm.ask(
            f"Revoke the token “{token.name}”?",
            "Scripts using it stop working at once; a revoked token cannot be used again.",
            "Revoke",
            back,
        )
    tokens.revoke_token(token)
    flash(f"Revoked the token “{token.name}”; scripts using it now get 401.", "success")
    return redirect(back)
