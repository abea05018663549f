"""Words and numbers for a review, shared by its pages and its Markdown and CSV exports."""

from __future__ import annotations

from datetime import datetime

from tracker.domain.lifecycle import STATUS_LABELS
from tracker.domain.words import plural
from tracker.models import Review, ReviewDecision

KIND_LABELS = {
    "accept": "Accept",
    "escalate": "Escalate",
    "rescore": "Re-score",
    "assign": "Assign",
    "note": "Note",
}
SECTION_TITLES = {
    "new_risks": "New risks",
    "closed": "Closed, accepted or mitigated",
    "movers": "Score and band movers",
    "completed": "Mitigations completed",
    "slipped": "Due dates slipped",
    "newly_overdue": "Newly overdue mitigations",
    "new_drift": "New Jira drift",
}


def when(value: str | datetime | None) -> str:
    """'2026-03-02 09:00 UTC' from a stored ISO time (or a datetime)."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def day(value: str | datetime | None) -> str:
    """'2026-03-02' from a stored ISO time (or a datetime)."""
    return when(value)[:10]


def minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def score(value: int | None, band: str | None) -> str:
    """'16 critical', or 'not assessed' for a residual nobody has scored."""
    return "not assessed" if value is None else f"{value} {band}"


def decision_summary(decision: ReviewDecision) -> str:
    """'Accept until 2026-06-30: the vendor fixes it in Q2' — what was decided, in one line."""
    head = KIND_LABELS.get(decision.kind, decision.kind)
    if decision.kind == "accept" and decision.until:
        head += f" until {decision.until.isoformat()}"
    if decision.kind == "assign" and decision.assignee:
        head += f" to {decision.assignee.display_name}"
    return f"{head}: {decision.note}" if decision.note else head


def status_line(review: Review) -> str:
    """'open' or 'finished 2026-03-02 10:15 UTC by Ada Admin'."""
    if review.is_open:
        return "open"
    by = review.finished_by.display_name if review.finished_by else "someone"
    return f"finished {when(review.finished_at)} by {by}"


def window_title(changes: dict) -> str:
    """The heading of the changes: since when they are counted."""
    if changes["first"]:
        return "Since the start (first review: everything is new)"
    return f"Since the previous review ({when(changes['since'])})"


def _because(item: dict) -> str:
    by = item.get("by", "")
    return f"{by}: “{item['reason']}”" if item.get("reason") else by


def _new_risk(item: dict) -> str:
    status = STATUS_LABELS.get(item["status"], item["status"]).lower()
    return f"{item['score']} {item['band']}, {status} — added by {item['by']}"


def _closed(item: dict) -> str:
    until = f" until {item['until']}" if item.get("until") else ""
    moved = " → ".join(STATUS_LABELS.get(item[end], item[end]).lower() for end in ("from", "to"))
    return f"{moved}{until} — {_because(item)}"


def _mover(item: dict) -> str:
    reasons = "; ".join(
        f"{r['field']} {r['old']} → {r['new']} ({_because(r)})" for r in item["reasons"]
    )
    moved = (
        f"{score(item['old_score'], item['old_band'])} → "
        f"{score(item['new_score'], item['new_band'])}"
    )
    # Reviews stored before residual movers were listed have no score_kind: all were inherent.
    if item.get("score_kind") == "residual":
        moved = f"residual {moved}"
    return f"{moved} — {reasons}"


def _slip(item: dict) -> str:
    return f"{item['old']} → {item['new']} (+{plural(item['days'], 'day')}) — {_because(item)}"


def _overdue(item: dict) -> str:
    owner = f", owner {item['owner']}" if item.get("owner") else ", no owner"
    late = plural(item["days_overdue"], "day")
    return f"due {item['due_date']}, {late} overdue{owner}"


def _drift(item: dict) -> str:
    ticket = f" ({item['ticket']})" if item.get("ticket") else ""
    # Reviews stored before flags kept their values have no detail.
    detail = f": {item['detail']}" if item.get("detail") else ""
    return f"{item['label']}{ticket}{detail}"


_DETAILS = {
    "new_risks": _new_risk,
    "closed": _closed,
    "movers": _mover,
    "completed": lambda item: f"done — {_because(item)}",
    "slipped": _slip,
    "newly_overdue": _overdue,
    "new_drift": _drift,
}
MITIGATION_SECTIONS = ("completed", "slipped", "newly_overdue")


def change_subject(section: str, item: dict) -> tuple[str, str]:
    """(risk key, what changed) of one change: the risk's title, or the mitigation's label and
    title with its risk's key."""
    if section in MITIGATION_SECTIONS:
        return item["risk_key"], f"{item['label']} {item['title']} ({item['team']})"
    if section == "new_drift" and item.get("mitigation"):
        return item["key"], f"{item['mitigation']} {item['mitigation_title']} ({item['team']})"
    return item["key"], f"{item['title']} ({item['team']})"


def change_detail(section: str, item: dict) -> str:
    """What happened, after the subject: '9 medium → 16 critical — Likelihood 3 → 4 (…)'."""
    return _DETAILS[section](item)


def change_line(section: str, item: dict) -> str:
    """One change in one line of text: 'RISK-3 Title (Team): detail'."""
    key, subject = change_subject(section, item)
    return f"{key} {subject}: {change_detail(section, item)}"


INCIDENT_SECTION_TITLES = {
    "new": "Incidents since the previous review",
    "follow_ups": "Follow-ups created",
    "unreviewed": "Incidents still without a review",
}


def incident_line(item: dict) -> str:
    """'INC-4 Checkout down (Payments): sev2, reviewing, 30 impact min, resolved 2026-03-01'."""
    resolved = f"resolved {day(item['resolved_at'])}" if item["resolved_at"] else "ongoing"
    overdue = ", review overdue" if item["review_overdue"] else ""
    return (
        f"{item['key']} {item['title']} ({item['team']}): {item['severity']}, {item['status']}, "
        f"{minutes(item['impact_minutes'])} impact min, {resolved}{overdue}"
    )


def follow_up_line(item: dict) -> str:
    """'M-12 Add a replica (Payments): short-term follow-up of INC-4 on RISK-3, due …'."""
    horizon = "short-term" if item["horizon"] == "short" else "long-term"
    return (
        f"{item['label']} {item['title']} ({item['team']}): {horizon} follow-up of "
        f"{item['incident']} on {item['risk_key']}, due {item['due_date']}, {item['status']}"
    )


def window_line(window: dict) -> str:
    """'28 days: 12.0 of 80.64 min spent (15%), 68.6 left, availability 99.970%'."""
    exhausted = " — exhausted" if window["exhausted"] else ""
    return (
        f"{window['days']} days: {window['spent_minutes']:,.1f} of "
        f"{window['allowed_minutes']:,.2f} min spent ({window['burn_rate']:.0%}), "
        f"{window['remaining_minutes']:,.1f} left, availability {window['availability']:.3%}"
        f"{exhausted}"
    )


def helpers() -> dict:
    """The helpers above, for templates."""
    return {
        "kind_labels": KIND_LABELS,
        "section_titles": SECTION_TITLES,
        "when": when,
        "day": day,
        "fmt_minutes": minutes,
        "fmt_percent": percent,
        "fmt_score": score,
        "decision_summary": decision_summary,
        "status_line": status_line,
        "window_title": window_title,
        "change_subject": change_subject,
        "change_detail": change_detail,
        "incident_section_titles": INCIDENT_SECTION_TITLES,
        "incident_line": incident_line,
        "follow_up_line": follow_up_line,
        "window_line": window_line,
    }
