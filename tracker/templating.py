"""Helpers every template may use: form plumbing and the product's words for numbers."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from tracker.domain import jira_mapping, lifecycle
from tracker.domain import mitigations as mitigation_rules
from tracker.domain.words import plural

HIDDEN_TYPES = ("HiddenField", "CSRFTokenField")


def hidden_fields(form) -> Markup:
    """A form's hidden inputs (CSRF token, version) without ids.

    WTForms gives each hidden input the field's name as id, so two forms on one page would
    repeat ids such as "csrf_token"; nothing points at hidden inputs, so they need none.
    """
    # The fields render themselves escaped (WTForms widgets return Markup).
    return Markup("").join(field(id=False) for field in form if field.type in HIDDEN_TYPES)


def label_of(labels: dict[str, str]):
    """A function giving a stored value's label, or the value itself when it has none."""
    return lambda value: labels.get(value, value) if value is not None else ""


# The words people read for values the database stores as codes.
LABELS = {
    "risk_status_label": lifecycle.STATUS_LABELS,
    "mitigation_status_label": mitigation_rules.STATUS_LABELS,
    "jira_category_label": jira_mapping.STATUS_CATEGORY_LABELS,
    "sync_status_label": jira_mapping.SYNC_STATUS_LABELS,
    "sync_trigger_label": jira_mapping.SYNC_TRIGGER_LABELS,
}


def init_app(app: Flask) -> None:
    app.add_template_global(hidden_fields)
    app.add_template_filter(plural)
    app.add_template_global(mitigation_rules.blocker_note)
    for name, labels in LABELS.items():
        app.add_template_global(label_of(labels), name)
