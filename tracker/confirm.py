"""A confirmation step before an action that cannot be undone.

The button of such an action posts its form as usual. Without `confirmed=yes` in the form the
view answers with a page that asks, repeating what was posted (a browser without JavaScript
stays safe). static/js/app.js asks in a dialog first and adds `confirmed=yes` itself, so a
browser with JavaScript skips that page.
"""

from __future__ import annotations

from flask import render_template, request

FIELD = "confirmed"


def confirmed() -> bool:
    """Whether the person already said yes to this action."""
    return request.form.get(FIELD) == "yes"


def ask(question: str, consequence: str, button: str, cancel_url: str):
    """The page asking `question`; its button posts the same form again, confirmed."""
    repeated = [(name, value) for name, value in request.form.items(multi=True) if name != FIELD]
    page = render_template(
        "confirm.html",
        question=question,
        consequence=consequence,
        button=button,
        action=request.full_path.rstrip("?"),
        fields=repeated,
        cancel_url=cancel_url,
    )
    return page, 200
