"""A refused form's input and messages, carried across the redirect that follows the POST.

Forms posted from a page that lists many things (a quick update on My teams, a decision in a
review, a risk's status change) answer a refusal with a redirect too, so that refreshing the
page shows it again instead of posting the form a second time. The input and the messages
wait in the session until the page shows them once.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import session

SESSION_KEY = "refused_form"


def keep(form_name: str, target: str, values: Mapping[str, object], errors: Mapping[str, str]):
    """Remember what was typed into `form_name` for `target` (an id or key) and why it was
    refused; the next `take` for the same form and target returns it."""
    session[SESSION_KEY] = {
        "form": form_name,
        "target": str(target),
        "input": {name: "" if value is None else str(value) for name, value in values.items()},
        "errors": dict(errors),
    }


def take(form_name: str, target: str | None = None) -> dict | None:
    """The kept refusal of `form_name` (for `target` when given), removed from the session;
    None when there is none. {"target", "input": {field: text}, "errors": {field: message}}."""
    kept = session.get(SESSION_KEY)
    if not kept or kept.get("form") != form_name:
        return None
    if target is not None and kept.get("target") != str(target):
        return None
    session.pop(SESSION_KEY)
    return kept
