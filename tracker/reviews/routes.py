"""Pages of the weekly review: the list, one review (live while open), print and exports."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from tracker import confirm, refused
from tracker.extensions import db
from tracker.forms import apply_errors
from tracker.models import Team
from tracker.paging import page_number
from tracker.reviews import entries, exports, present, queries, services, team_view
from tracker.reviews.forms import DecisionForm, NotesForm, StartForm
from tracker.security import roles_required
from tracker.team_filter import requested_slug, requested_team
from tracker.validation import ValidationError

bp = Blueprint("reviews", __name__, url_prefix="/reviews")
# The decision form's fields a refusal gives back to its row.
DECISION_INPUTS = ("kind", "until", "assignee", "note")
bp.context_processor(present.helpers)


# A review a week makes 52 a year; the list shows a year at a time.
REVIEWS_PER_PAGE = 52


@bp.get("")
def index():
    return render_template(
        "reviews/list.html",
        rows=queries.reviews_page(page_number(request.args.get("page")), REVIEWS_PER_PAGE),
        open_review=services.open_review(),
        form=StartForm(),
        can_run=current_user.role == "admin",
    )


@bp.post("")
@roles_required("admin")
def start():
    if not StartForm().validate_on_submit():
        abort(400)
    try:
        review = services.start_review(current_user)
    except ValidationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("reviews.index"))
    flash(f"Review #{review.id} started: the register is frozen as it is now.", "success")
    return redirect(url_for("reviews.detail", review_id=review.id))


def _load(review_id: int, *, strict: bool = False, page: int | None = 1) -> queries.ReviewView:
    """The review, narrowed to the team named by ?team=<slug> when there is one, with page
    `page` of its ranked register (None: no page, for a view that redirects). A page with an
    unknown team shows everything and says so; an export (`strict`) is refused instead, so a
    file meant for one team never carries the whole review."""
    view = queries.load(review_id)
    chosen = requested_team()
    if chosen.unknown and strict:
        abort(404, description=f"There is no team {chosen.slug!r}.")
    if chosen.team:
        view = team_view.narrow(view, chosen.team)
    return view if page is None else queries.with_page(view, page)


def _team_args(view) -> dict:
    """Query arguments that keep a page's team filter on the links and forms it leads to."""
    return {"team": view.team.slug} if view.team else {}


def _refused_decision() -> dict | None:
    """A decision refused just before: its risk's key, what was typed and the messages."""
    kept = refused.take("decision")
    if kept is None:
        return None
    return {"key": kept["target"], "input": kept["input"], "errors": kept["errors"]}


def render_detail(view, *, notes_form=None, code=200):
    """The review's page, with a decision refused just before back in its risk's form."""
    failed = _refused_decision()
    editable = view.review.is_open and current_user.role == "admin"
    if notes_form is None:
        notes_form = NotesForm(formdata=None, notes=view.review.notes)
    return render_template(
        "reviews/detail.html",
        v=view,
        editable=editable,
        failed=failed,
        notes_form=notes_form,
        users=queries.assignee_choices() if editable else [],
        teams=db.session.scalars(db.select(Team).order_by(Team.name)).all(),
        team_args=_team_args(view),
        unknown_team=requested_team().unknown,
    ), code


@bp.get("/<int:review_id>")
def detail(review_id: int):
    return render_detail(_load(review_id, page=page_number(request.args.get("page"))))


@bp.post("/<int:review_id>/decisions")
@roles_required("admin")
def decide(review_id: int):
    view = _load(review_id, page=None)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.record_decision(
            view.review,
            current_user,
            risk_key=form.risk_key.data,
            kind=form.kind.data,
            note=form.note.data,
            until=form.until.data,
            assignee=form.assignee.data,
        )
    except services.ReviewFinished as exc:
        flash(str(exc), "error")
    except ValidationError as exc:
        # A redirect, so refreshing the page never records the decision a second time.
        values = {name: form[name].data for name in DECISION_INPUTS}
        refused.keep("decision", (form.risk_key.data or "").upper(), values, exc.errors)
        flash("The decision was not recorded: see the message in its row.", "error")
    else:
        flash(f"Recorded the decision on {form.risk_key.data.upper()}.", "success")
    key = (form.risk_key.data or "").strip().upper()
    return redirect(
        url_for(
            "reviews.detail",
            review_id=review_id,
            _anchor=f"risk-{key}",
            **_team_args(view),
            **_page_args(view, key),
        )
    )


def _page_args(view, key: str) -> dict:
    """?page= of the register page that shows the risk `key` (none for the first page or a
    risk the review does not hold)."""
    position = entries.position_of(view.review.id, key)
    if position is None:
        return {}
    if view.team is not None:
        # Ranks stay the whole ranking's; the team's page counts the team's risks before it.
        position = entries.count_before(view.review.id, view.team.slug, position) + 1
    number = entries.page_of(position)
    return {"page": number} if number > 1 else {}


def _notes_action(review_id: int, action, done_message: str):
    view = _load(review_id)
    form = NotesForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(view.review, current_user, form.notes.data)
    except services.ReviewFinished as exc:
        flash(str(exc), "error")
        return render_detail(view, code=409)
    except ValidationError as exc:
        apply_errors(form, exc)
        return render_detail(view, notes_form=form, code=400)
    flash(done_message, "success")
    return redirect(url_for("reviews.detail", review_id=review_id, **_team_args(view)))


@bp.post("/<int:review_id>/notes")
@roles_required("admin")
def save_notes(review_id: int):
    return _notes_action(review_id, services.save_notes, "Saved the notes.")


@bp.post("/<int:review_id>/finish")
@roles_required("admin")
def finish(review_id: int):
    if not confirm.confirmed():
        return confirm.ask(
            f"Finish review #{review_id}?",
            "Finishing saves the notes and freezes the review for good: its decisions and notes "
            "can no longer be changed.",
            "Finish the review",
            url_for("reviews.detail", review_id=review_id, team=requested_slug() or None),
        )
    return _notes_action(
        review_id, services.finish_review, "Review finished: it is frozen and stays readable."
    )


@bp.get("/<int:review_id>/print")
def print_view(review_id: int):
    return render_template("reviews/print.html", v=_load(review_id))


def _download(body, mimetype: str, view, extension: str, disposition: str) -> Response:
    team = f"-{view.team.slug}" if view.team else ""
    name = f"review-{view.review.id}-{present.day(view.review.started_at)}{team}.{extension}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'{disposition}; filename="{name}"'},
    )


@bp.get("/<int:review_id>.md")
def markdown(review_id: int):
    view = _load(review_id, strict=True)
    # Inline: opened in the browser, ready to copy into a doc or chat. Streamed: its list of
    # blocked work is read in chunks while it is sent.
    body = stream_with_context(exports.markdown_parts(view))
    return _download(body, "text/markdown", view, "md", "inline")


@bp.get("/<int:review_id>.csv")
def csv_export(review_id: int):
    view = _load(review_id, strict=True)
    # Streamed: the rows are read in chunks while the file is sent.
    body = stream_with_context(exports.csv_lines(view))
    return _download(body, "text/csv", view, "csv", "attachment")


@bp.get("/<int:review_id>/incidents.csv")
def incidents_csv(review_id: int):
    view = _load(review_id, strict=True)
    return _download(exports.incidents_csv(view), "text/csv", view, "incidents.csv", "attachment")
