"""The engineering manager's page: their teams' open mitigations, updated in place."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import clock, refused
from tracker.domain import mitigations as rules
from tracker.edits import version_from_form
from tracker.extensions import db
from tracker.mitigations import permissions, queries, services
from tracker.mitigations.forms import QuickUpdateForm
from tracker.mitigations.queries import mitigation_or_404
from tracker.mitigations.routes import bp
from tracker.models import Mitigation
from tracker.risks import settings as scoring_settings
from tracker.risks.permissions import refusal
from tracker.team_filter import requested_slug
from tracker.validation import StaleVersion, ValidationError

# The quick form's fields a refusal gives back to the row.
QUICK_INPUTS = ("status", "due_date", "reason", "note")


def _refused_row() -> dict | None:
    """The row whose quick update was just refused: its id, what was typed, the messages."""
    kept = refused.take("quick")
    if kept is None or not kept["target"].isdigit():
        return None
    return {"id": int(kept["target"]), "input": kept["input"], "errors": kept["errors"]}


# The overview shows the first rows of each group; a group's own view pages through all of it.
# Both stay small because every shown row carries its update form.
PREVIEW_ROWS = 25
PER_PAGE = 50


def _requested_group() -> str | None:
    group = request.args.get("group", "")
    return group if group in queries.WORK_GROUPS else None


def _requested_page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _groups(team_ids: list[int], chosen_group: str | None, today, window) -> dict:
    """Group → Page of rows: the first rows of each group, or one page of the chosen group.
    A constant number of queries: the counts, then one per group shown."""
    counts = queries.open_work_counts(team_ids, today, window)
    shown = [chosen_group] if chosen_group else queries.WORK_GROUPS
    page, per_page = (_requested_page(), PER_PAGE) if chosen_group else (1, PREVIEW_ROWS)
    return {
        group: queries.open_work_page(
            team_ids, group, today, window, total=counts[group], page=page, per_page=per_page
        )
        for group in shown
    }


def _refused_elsewhere(failed: dict | None, groups: dict) -> Mitigation | None:
    """The mitigation whose update was refused when its row is not among those shown (it moved
    group, or sits on another page), so its message and input still show."""
    if failed is None or any(m.id == failed["id"] for p in groups.values() for m in p.items):
        return None
    return db.session.get(Mitigation, failed["id"])


def _page():
    failed = _refused_row()
    teams = list(current_user.teams)
    chosen = requested_slug()
    shown = [team for team in teams if team.slug == chosen] or teams
    today = clock.today()
    window = current_app.config["DUE_SOON_DAYS"]
    group = _requested_group()
    groups = _groups([team.id for team in shown], group, today, window)
    pinned = _refused_elsewhere(failed, groups)
    rows = [m for p in groups.values() for m in p.items] + ([pinned] if pinned else [])
    return render_template(
        "mitigations/my_teams.html",
        teams=teams,
        # A slug that is not one of the user's teams is ignored, not shown as chosen.
        chosen=chosen if chosen in {team.slug for team in teams} else "",
        group=group,
        groups=groups,
        pinned=pinned,
        states={m.id: rules.due_state(m.status, m.due_date, today, window) for m in rows},
        settings=scoring_settings.current(),
        today=today,
        window=window,
        failed=failed,
        status_labels=rules.STATUS_LABELS,
        can_edit={m.id: permissions.can_edit(current_user, m) for m in rows},
    )


@bp.get("/my-teams")
def my_teams():
    return _page()


@bp.post("/mitigations/<int:mitigation_id>/quick")
def quick_update(mitigation_id: int):
    mitigation = mitigation_or_404(mitigation_id)
    if not permissions.can_edit(current_user, mitigation):
        abort(403, refusal(current_user, mitigation.team, mitigation.label))
    form = QuickUpdateForm()
    if not form.validate_on_submit():
        abort(400, "The update could not be read; reload the page and try again.")
    raw = {"status": form.status.data}
    if (form.due_date.data or "") != mitigation.due_date.isoformat():
        raw["due_date"] = form.due_date.data
    try:
        changes = services.update_mitigation(
            mitigation,
            raw,
            current_user,
            expected_version=version_from_form(form.version.data),
            reason=form.reason.data or "",
            note=form.note.data or "",
        )
    except StaleVersion as stale:
        names = ", ".join(sorted({change.label for change in stale.changes})) or "it"
        flash(
            f"{mitigation.label} changed meanwhile ({names}); here it is now — update again.",
            "error",
        )
    except ValidationError as exc:
        # Back to the page with a redirect, so refreshing it never posts the update again.
        refused.keep("quick", mitigation.id, {n: form[n].data for n in QUICK_INPUTS}, exc.errors)
        flash(f"{mitigation.label} was not updated: see the message on its row.", "error")
    else:
        if changes:
            flash(f"Updated {mitigation.label}: {mitigation.title}.", "success")
    return redirect(
        url_for(
            "mitigations.my_teams",
            team=requested_slug() or None,
            group=_requested_group(),
            page=_requested_page() if _requested_group() and _requested_page() > 1 else None,
            _anchor=f"m-{mitigation.id}",
        )
    )
