"""How a Jira ticket's state maps onto the tracker's mitigation statuses, and when the two
disagree (drift). Pure: the sync feeds it plain values.

Mapping is by status *category* (new / indeterminate / done), never by status name: names are
per-project and per-language, categories are Jira's own contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tracker.domain import mitigations as mitigation_rules

DEFAULT_WONT_DO_RESOLUTIONS = frozenset(
    {
        "won't do",
        "won't fix",
        "duplicate",
        "cancelled",
        "canceled",
        "rejected",
        "declined",
        "cannot reproduce",
        "obsolete",
        "abandoned",
    }
)

# Jira's status categories as people read them (Jira's keys: new, indeterminate, done).
STATUS_CATEGORY_LABELS = {"new": "To do", "indeterminate": "In progress", "done": "Done"}
SYNC_STATUS_LABELS = {
    "queued": "Queued",
    "running": "Running",
    "succeeded": "Succeeded",
    "partial": "Partly applied",
    "failed": "Failed",
    "abandoned": "Abandoned",
}
SYNC_TRIGGER_LABELS = {"cli": "the command line (cron)", "web": "Sync now"}

DRIFT_KINDS = {
    "jira_done_mitigation_open": "Jira says done, the mitigation is still open",
    "mitigation_done_ticket_open": "The mitigation is done, a ticket is still open",
    "ticket_due_later": "A ticket is due later than the mitigation",
    "ticket_unassigned": "An open ticket has no assignee",
    "link_broken": "A linked ticket is gone or hidden",
    "epic_done_ticket_open": "The epic's work is done, the epic is still open",
}


def ticket_state(
    status_category: str | None,
    resolution: str | None,
    wont_do: Iterable[str] = DEFAULT_WONT_DO_RESOLUTIONS,
) -> str:
    """planned, in_progress, done or cancelled for one ticket.

    A done ticket resolved as won't-do (Won't Fix, Duplicate, …) is cancelled. Without a status
    category (old Jira Server) the resolution decides: resolved → done (or cancelled),
    unresolved → planned, since nothing tells us work started.
    """
    wont_do_names = {name.lower() for name in wont_do}
    resolved_as_wont_do = resolution is not None and resolution.strip().lower() in wont_do_names
    category = (status_category or "").lower()
    if category == "undefined":  # Jira's "No Category": as if there were none
        category = ""
    if category == "new":
        return "planned"
    if category == "indeterminate":
        return "in_progress"
    if category == "done" or (not category and resolution):
        return "cancelled" if resolved_as_wont_do else "done"
    return "planned"


def followed_status(current: str, ticket_states: list[str]) -> str | None:
    """The status a mitigation that follows Jira takes from its tickets; None to keep it.

    All done/cancelled → done (cancelled only if every ticket was cancelled); any started (or a
    mix of finished and not started) → in progress; all not started → planned. A blocked
    mitigation stays blocked while its tickets are open: the block is the tracker's knowledge.
    """
    if not ticket_states:
        return None
    finished = {"done", "cancelled"}
    if all(state in finished for state in ticket_states):
        target = "cancelled" if all(s == "cancelled" for s in ticket_states) else "done"
    elif any(state == "in_progress" for state in ticket_states) or any(
        state in finished for state in ticket_states
    ):
        target = "in_progress"
    else:
        target = "planned"
    if current == "blocked" and target in ("planned", "in_progress"):
        return None
    return None if target == current else target


@dataclass(frozen=True)
class TicketView:
    """What drift detection needs to know of one linked ticket."""

    key: str
    state: str | None  # None when the link is broken
    assignee: str | None
    due: date | None
    broken: bool = False
    children_done: int | None = None
    children_total: int | None = None

    @property
    def children_all_done(self) -> bool:
        """It has child issues and every one of them is done."""
        return bool(self.children_total) and self.children_done == self.children_total


@dataclass(frozen=True)
class Drift:
    """One disagreement: its kind, the ticket it is about (None: all of them), and the two
    values that disagree, for people to read ("ticket due 2027-01-15, mitigation due
    2026-11-20")."""

    kind: str
    ticket_key: str | None
    detail: str


# A ticket's state that is finished work (see ticket_state).
FINISHED = ("done", "cancelled")


def _state(state: str | None) -> str:
    return (state or "unknown").replace("_", " ")


def drift(
    mitigation_status: str,
    mitigation_due: date,
    follows_jira: bool,
    tickets: list[TicketView],
) -> list[Drift]:
    """The disagreements between a mitigation and its tickets.

    Finished work is never flagged: once the mitigation is finished (done or cancelled) only
    "mitigation done, ticket open" can hold, and a finished ticket (done or cancelled) only
    takes part in "Jira done, mitigation open". So a later ticket due date, an unassigned
    ticket and a broken link are flagged only while both the mitigation and the ticket are
    open (a broken ticket counts as open: nobody knows), and so is an open epic whose children
    are all done. Status disagreements are flagged only
    for mitigations that do not follow Jira (those that do are moved instead).
    """
    flags: list[Drift] = []
    live = [t for t in tickets if not t.broken]
    mitigation_open = mitigation_rules.is_open(mitigation_status)
    mitigation_state = f"mitigation {_state(mitigation_status)}"
    if mitigation_open:
        flags += [
            Drift("link_broken", t.key, f"ticket {t.key} gone or hidden, {mitigation_state}")
            for t in tickets
            if t.broken
        ]
    if not follows_jira and live:
        if mitigation_open and all(t.state in FINISHED for t in live):
            states = ", ".join(f"{t.key} {_state(t.state)}" for t in live)
            flags.append(
                Drift("jira_done_mitigation_open", None, f"tickets {states}, {mitigation_state}")
            )
        if mitigation_status == "done":
            flags += [
                Drift(
                    "mitigation_done_ticket_open",
                    t.key,
                    f"mitigation done, ticket {t.key} {_state(t.state)}",
                )
                for t in live
                if t.state not in FINISHED
            ]
    if mitigation_open:
        still_open = [t for t in live if t.state not in FINISHED]
        flags += [
            Drift(
                "ticket_due_later",
                t.key,
                f"ticket due {t.due.isoformat()}, mitigation due {mitigation_due.isoformat()}",
            )
            for t in still_open
            if t.due and t.due > mitigation_due
        ]
        flags += [
            Drift("ticket_unassigned", t.key, f"ticket {t.key} {_state(t.state)}, no assignee")
            for t in still_open
            if t.assignee is None
        ]
        flags += [
            Drift(
                "epic_done_ticket_open",
                t.key,
                f"{t.children_done} of {t.children_total} children done, "
                f"epic {t.key} {_state(t.state)}",
            )
            for t in still_open
            if t.children_all_done
        ]
    return flags


def broken_risk_link(ticket_key: str) -> Drift:
    """A risk's own link to a ticket that is gone (risks have no status to compare)."""
    return Drift("link_broken", ticket_key, f"ticket {ticket_key} gone or hidden")
