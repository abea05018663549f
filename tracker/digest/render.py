"""A digest as an email: subject, plain text, and an HTML alternative."""

from __future__ import annotations

from flask import render_template

from tracker.dashboard.panels import ATTENTION_TITLES
from tracker.digest.content import NEW_INCIDENT_DAYS, Digest, TeamSection
from tracker.domain.mitigations import STATUS_LABELS, blocker_note
from tracker.domain.words import plural
from tracker.links import external_url
from tracker.models import Incident, Mitigation
from tracker.roadmap.summary import delivery_line

SIGNATURE = "-- \nSent by the Availability Risk Tracker (flask digest)."


def subject(digest: Digest) -> str:
    teams = ", ".join(section.team.name for section in digest.sections)
    return f"Availability digest for {teams} — {digest.today.isoformat()}"


def _link(before: str, endpoint: str, **values) -> list[str]:
    """The page's address on a line of its own, or nothing when PUBLIC_URL is not set."""
    url = external_url(endpoint, **values)
    return [before + url] if url else []


def _mitigation_lines(m: Mitigation, digest: Digest) -> list[str]:
    owner = m.owner.display_name if m.owner else "nobody"
    late = (digest.today - m.due_date).days
    when = f"{plural(late, 'day')} overdue" if late > 0 else STATUS_LABELS[m.status].lower()
    line = (
        f"  - {m.label} {m.title} ({m.risk.key} {m.risk.title}): "
        f"due {m.due_date.isoformat()}, {when}, owner {owner}"
    )
    return [line, *_link("    ", "mitigations.detail", mitigation_id=m.id)]


def _blocked_lines(m: Mitigation) -> list[str]:
    owner = m.owner.display_name if m.owner else "nobody"
    note = blocker_note(m.notes)
    waits = f": {note}" if note else ""
    line = f"  - {m.label} {m.title} ({m.risk.key} {m.risk.title}), owner {owner}{waits}"
    return [line, *_link("    ", "mitigations.detail", mitigation_id=m.id)]


def _more(count: int, shown: int) -> list[str]:
    if count <= shown:
        return []
    url = external_url("mitigations.my_teams")
    return [f"  … and {count - shown} more on the My teams page{f': {url}' if url else '.'}"]


def incident_summary(incident: Incident) -> str:
    """'sev2, open, 30 impact min, started 2026-03-01 14:00 UTC'."""
    started = incident.started_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{incident.severity}, {incident.status}, {incident.impact_minutes:,.0f} impact min, "
        f"started {started}"
    )


def _incident_lines(section: TeamSection, digest: Digest) -> list[str]:
    """The team's new incidents and its open follow-ups; nothing when it has neither."""
    lines = []
    if section.incidents.count:
        lines.append(f"Incidents in the last {NEW_INCIDENT_DAYS} days ({section.incidents.count})")
        for incident in section.incidents.items:
            lines.append(f"  - {incident.key} {incident.title}: {incident_summary(incident)}")
            lines += _link("    ", "incidents.detail", key=incident.key)
        shown = len(section.incidents.items)
        if section.incidents.count > shown:
            lines.append(f"  … and {section.incidents.count - shown} more on the Incidents page.")
        lines.append("")
    if section.follow_ups.count:
        lines.append(f"Open incident follow-ups ({section.follow_ups.count})")
        for m in section.follow_ups.items:
            first, *rest = _mitigation_lines(m, digest)
            lines += [f"{first} — follow-up of {m.source_incident.key}", *rest]
        lines += [*_more(section.follow_ups.count, len(section.follow_ups.items)), ""]
    return lines


def _delivery_line(section: TeamSection) -> str:
    quarter, figures = section.delivery
    return f"Delivery in {quarter} (on time = by the original due date): {delivery_line(figures)}"


def _section_lines(section: TeamSection, digest: Digest) -> list[str]:
    name = section.team.name
    lines = [
        name,
        "=" * len(name),
        *_link("Dashboard: ", "dashboard.home", team=section.team.slug),
        "",
        _delivery_line(section),
        "",
    ]
    for title, listing, empty in (
        ("Overdue mitigations", section.overdue, "Nothing overdue."),
        (f"Due in the next {digest.due_soon_days} days", section.due_soon, "Nothing due soon."),
    ):
        lines.append(f"{title} ({listing.count})")
        lines += [line for m in listing.items for line in _mitigation_lines(m, digest)] or [
            f"  {empty}"
        ]
        lines += [*_more(listing.count, len(listing.items)), ""]
    if section.blocked.count:
        lines.append(f"Blocked mitigations ({section.blocked.count})")
        lines += [line for m in section.blocked.items for line in _blocked_lines(m)]
        lines += [*_more(section.blocked.count, len(section.blocked.items)), ""]
    lines += _incident_lines(section, digest)
    lines.append(f"Top risks ({len(section.top)})")
    for r in section.top:
        lines.append(f"  {r.position}. {r.risk.key} {r.risk.title}: {'; '.join(r.factors)}")
        lines += _link("     ", "risks.detail", key=r.risk.key)
    if not section.top:
        lines.append("  No open risk.")
    lines.append("")
    if section.attention:
        lines.append("Also needs attention")
        for name, listing in section.attention.items():
            keys = ", ".join(risk.key for risk in listing.items)
            lines.append(f"  - {ATTENTION_TITLES[name]} ({listing.count}): {keys}")
        lines.append("")
    return lines


def text(digest: Digest) -> str:
    """The digest as plain text, one section per team."""
    teams = ", ".join(section.team.name for section in digest.sections)
    lines = [
        f"Hello {digest.recipient.display_name},",
        "",
        f"Here is where {teams} stand{'s' if len(digest.sections) == 1 else ''} on "
        f"availability work today, {digest.today.isoformat()}.",
        "",
    ]
    for section in digest.sections:
        lines += _section_lines(section, digest)
    return "\n".join(lines) + "\n" + SIGNATURE + "\n"


def html(digest: Digest) -> str:
    """The same digest as a simple HTML page, for mail clients that prefer it."""
    return render_template(
        "digest/email.html",
        digest=digest,
        subject=subject(digest),
        attention_titles=ATTENTION_TITLES,
        delivery_line=delivery_line,
        link=external_url,
        incident_summary=incident_summary,
        new_incident_days=NEW_INCIDENT_DAYS,
    )
