"""A review as Markdown (to paste into a doc or chat) and as CSV (one row per reviewed risk)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from tracker import markdown_text as md
from tracker.domain.words import plural
from tracker.reviews import present
from tracker.reviews.changes import SECTIONS
from tracker.reviews.queries import ReviewView
from tracker.risks.csv_format import protect

TOP_RISKS = 10
INCIDENT_CSV_COLUMNS = (
    "section",
    "incident",
    "mitigation",
    "title",
    "team",
    "severity",
    "status",
    "started_at",
    "resolved_at",
    "impact_minutes",
    "review_date",
    "review_overdue",
    "risk",
    "horizon",
    "due_date",
)
CSV_COLUMNS = (
    "position",
    "risk",
    "title",
    "team",
    "owner",
    "status",
    "score",
    "band",
    "residual_score",
    "residual_band",
    "bad_minutes_per_year",
    "budget_share",
    "overdue_mitigations",
    "open_mitigations",
    "drift",
    "factors",
    "decisions",
)
TABLE_HEADER = (
    "| # | Risk | Title | Team | Owner | Score | Residual | Bad min/yr | Budget | Status "
    "| Decisions |\n| ---: | --- | --- | --- | --- | --- | --- | ---: | ---: | --- | --- |"
)


def _heading(view: ReviewView) -> list[str]:
    review, budget = view.review, view.budget
    previous = review.previous
    team_name = md.inline(view.team.name) if view.team else ""
    team = f" — {team_name}" if view.team else ""
    starter = md.inline(review.started_by.display_name)
    expects = f"the {team_name} team's risks expect" if view.team else "the register expects"
    lines = [
        f"# Availability review {present.day(review.started_at)}{team}",
        "",
        f"- Status: {present.status_line(review)}",
        f"- Started: {present.when(review.started_at)} by {starter}",
        "- Previous review: "
        + (
            f"#{previous.id} of {present.day(previous.started_at)}"
            if previous
            else "none (first review)"
        ),
        f"- Error budget: {present.minutes(budget['minutes'])} bad minutes a year at "
        f"{view.snapshot['slo']:.1%}; {expects} {present.minutes(budget['total'])} "
        f"({present.percent(budget['share'])}): {present.minutes(budget['unmitigated'])} "
        f"unmitigated, {present.minutes(budget['accepted'])} accepted.",
    ]
    if view.team:
        lines.append(
            f"- Team: {team_name} only — its risks (ranked among all), the changes to them "
            "and to its mitigations, and their decisions."
        )
    return lines


def _table(view: ReviewView) -> list[str]:
    lines = ["## Top risks", ""]
    if not view.risks:
        return [*lines, "No open risk was in the register."]
    lines.append(TABLE_HEADER)
    for risk in view.risks[:TOP_RISKS]:
        decisions = "; ".join(
            present.decision_summary(d) for d in view.by_risk.get(risk["key"], [])
        )
        cells = [
            risk["position"],
            risk["key"],
            risk["title"],
            risk["team_name"],
            risk["owner"] or "no owner",
            present.score(risk["score"], risk["band"]),
            present.score(risk["residual_score"], risk["residual_band"]),
            present.minutes(risk["bad_minutes"]),
            present.percent(risk["budget_share"]),
            risk["status"],
            decisions,
        ]
        lines.append("| " + " | ".join(md.cell(c) for c in cells) + " |")
    more = view.risk_total - TOP_RISKS
    if more > 0:
        lines += ["", f"And {plural(more, 'more risk')} in the CSV export."]
    return lines


def _changes(view: ReviewView) -> list[str]:
    lines = [f"## {present.window_title(view.changes)}"]
    for section in SECTIONS:
        items = view.changes[section]
        lines += ["", f"### {present.SECTION_TITLES[section]} ({len(items)})", ""]
        lines += [f"- {md.inline(present.change_line(section, item))}" for item in items] or [
            "None."
        ]
    return lines


def _blocked(view: ReviewView) -> list[str]:
    every = view.all_blocked()
    if every is None:  # frozen before blocked work was kept with reviews
        return []
    lines = [f"## Blocked mitigations ({view.blocked_total})", ""]
    for m in every:
        waits = f" — {md.inline(m['note'])}" if m["note"] else ""
        title, team = md.inline(m["title"]), md.inline(m["team"])
        lines.append(f"- {m['risk_key']} {m['label']} {title} ({team}){waits}")
    return lines if view.blocked_total else [*lines, "None."]


def _decisions(view: ReviewView) -> list[str]:
    lines = [f"## Decisions ({len(view.decisions)})", ""]
    titles = view.titles()
    for decision in view.decisions:
        title = titles.get(decision.risk_key, "")
        summary = present.decision_summary(decision)
        by = md.inline(decision.created_by.display_name)
        lines.append(f"- {decision.risk_key} {md.inline(title)}: {md.inline(summary)} ({by})")
    return lines if view.decisions else [*lines, "No decisions recorded."]


def markdown_parts(view: ReviewView) -> Iterator[str]:
    """The review in Markdown, a section at a time: heading, top risks table, blocked work,
    incidents, changes, delivery, decisions, notes."""
    parts = (
        _heading,
        _table,
        _blocked,
        _incidents,
        _changes,
        _delivery,
        _decisions,
        lambda v: ["## Notes", "", md.block(v.review.notes.strip()) or "No notes."],
    )
    first = True
    for part in parts:
        lines = part(view)
        if lines:
            yield ("" if first else "\n\n") + "\n".join(lines)
            first = False
    yield "\n"


def markdown(view: ReviewView) -> str:
    """The whole Markdown export as one string."""
    return "".join(markdown_parts(view))


def _incidents(view: ReviewView) -> list[str]:
    frozen = view.incidents
    if frozen is None:
        return ["## Incidents", "", "Not recorded in this review."]
    lines = ["## Error budget spent by incidents", ""]
    lines += [f"- {present.window_line(window)}" for window in view.spent_windows]
    for section, title in present.INCIDENT_SECTION_TITLES.items():
        listed = frozen[section]
        line = present.follow_up_line if section == "follow_ups" else present.incident_line
        lines += ["", f"### {title} ({listed['count']})", ""]
        lines += [f"- {md.inline(line(item))}" for item in listed["items"]] or ["None."]
        if listed["count"] > len(listed["items"]):
            lines.append(f"- and {listed['count'] - len(listed['items'])} more")
    return lines


def _incident_row(section: str, item: dict) -> dict:
    if section == "follow_ups":
        return {
            **item,
            "section": section,
            "incident": item["incident"],
            "mitigation": item["label"],
            "team": item["team_slug"],
            "risk": item["risk_key"],
        }
    return {**item, "section": section, "incident": item["key"], "team": item["team_slug"]}


def incidents_csv(view: ReviewView) -> str:
    """The review's incident lists, one row per incident or follow-up, named by its section
    (new, follow_ups, unreviewed); empty for a review frozen before incidents were kept."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(INCIDENT_CSV_COLUMNS)
    frozen = view.incidents or {}
    for section in present.INCIDENT_SECTION_TITLES:
        for item in frozen.get(section, {}).get("items", []):
            row = _incident_row(section, item)
            writer.writerow(
                [protect("" if row.get(c) is None else str(row[c])) for c in INCIDENT_CSV_COLUMNS]
            )
    return out.getvalue()


def _delivery(view: ReviewView) -> list[str]:
    if view.delivery is None:
        return ["## Delivery", "", "Not recorded in this review."]
    quarter, rows = view.delivery
    lines = [f"## Delivery in {quarter} (on time = by the original due date)", ""]
    return lines + [f"- **{md.inline(name)}**: {line}" for name, line in rows]


def _row(risk: dict, view: ReviewView) -> list[str]:
    bad, share = risk["bad_minutes"], risk["budget_share"]
    decisions = [
        f"{present.decision_summary(d)} ({d.created_by.display_name})"
        for d in view.by_risk.get(risk["key"], [])
    ]
    values = [
        risk["position"],
        risk["key"],
        risk["title"],
        risk["team_slug"],
        risk["owner_email"] or "",
        risk["status"],
        risk["score"],
        risk["band"],
        risk["residual_score"],
        risk["residual_band"],
        "" if bad is None else f"{bad:.2f}",
        "" if share is None else f"{share:.4f}",
        risk["overdue_mitigations"],
        risk["open_mitigations"],
        risk["drift"],
        "; ".join(risk["factors"]),
        "\n".join(decisions),
    ]
    # An empty cell for no value (a residual not assessed), as the register's export writes.
    return [protect("" if value is None else str(value)) for value in values]


def csv_lines(view: ReviewView) -> Iterator[str]:
    """The header, then one CSV line per frozen risk in ranked order with the decisions taken
    on it, each as soon as it is read: the rows are read in chunks, so memory stays flat
    whatever the register's size."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield line(CSV_COLUMNS)
    for risk in view.all_risks():
        yield line(_row(risk, view))


def csv_text(view: ReviewView) -> str:
    """The whole CSV export as one string (for small reviews and tests)."""
    return "".join(csv_lines(view))
