"""How Jira ticket states map onto mitigation statuses, and when the two disagree (drift)."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.jira_mapping import TicketView, drift, followed_status, ticket_state

DUE = date(2026, 4, 1)


def view(key="OPS-1", state="in_progress", assignee="Ana Ops", due=None, broken=False):
    return TicketView(key, None if broken else state, assignee, due, broken=broken)


# ticket_state ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "expected"),
    [("new", "planned"), ("indeterminate", "in_progress"), ("done", "done")],
)
def test_ticket_state_follows_the_status_category(category, expected):
    assert ticket_state(category, None) == expected


def test_ticket_state_reads_the_category_in_any_case():
    assert ticket_state("InDeterminate", None) == "in_progress"


@pytest.mark.parametrize(
    "resolution",
    ["Won't Do", "Won't Fix", "Duplicate", "Cancelled", "Rejected", "WON'T DO", "duplicate"],
)
def test_a_done_ticket_resolved_as_wont_do_is_cancelled(resolution):
    assert ticket_state("done", resolution) == "cancelled"


@pytest.mark.parametrize("resolution", ["Done", "Fixed", None])
def test_a_done_ticket_resolved_as_work_done_is_done(resolution):
    assert ticket_state("done", resolution) == "done"


@pytest.mark.parametrize(
    ("resolution", "expected"),
    [("Fixed", "done"), ("Won't Fix", "cancelled"), (None, "planned")],
)
def test_without_a_category_the_resolution_decides(resolution, expected):
    assert ticket_state(None, resolution) == expected


def test_the_cloud_sample_new_category_resolved_done_is_planned_because_category_wins():
    # cloud_agile_sprint_issues_statusCategory__go-jira.json: status "Ready" (new), "Done".
    assert ticket_state("new", "Done") == "planned"


def test_an_open_ticket_with_a_wont_do_resolution_keeps_its_category_state():
    assert ticket_state("indeterminate", "Won't Do") == "in_progress"


def test_the_wont_do_resolutions_are_configurable():
    wont_do = {"Not Needed"}

    assert ticket_state("done", "not needed", wont_do) == "cancelled"
    assert ticket_state("done", "Won't Fix", wont_do) == "done"


# followed_status -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "states", "expected"),
    [
        ("planned", ["done", "done"], "done"),
        ("in_progress", ["cancelled", "cancelled"], "cancelled"),
        ("in_progress", ["done", "cancelled"], "done"),
        ("planned", ["planned", "in_progress", "done"], "in_progress"),
        ("planned", ["done", "planned"], "in_progress"),
        ("in_progress", ["planned", "planned"], "planned"),
        ("done", ["in_progress"], "in_progress"),
    ],
    ids=[
        "all done",
        "all cancelled",
        "done and cancelled",
        "any in progress",
        "done and planned",
        "all planned",
        "reopened",
    ],
)
def test_followed_status_from_the_tickets(current, states, expected):
    assert followed_status(current, states) == expected


@pytest.mark.parametrize("states", [["planned"], ["in_progress"], ["done", "planned"]])
def test_a_blocked_mitigation_stays_blocked_while_tickets_are_open(states):
    assert followed_status("blocked", states) is None


def test_a_blocked_mitigation_is_done_once_every_ticket_is_done():
    assert followed_status("blocked", ["done", "done"]) == "done"


def test_followed_status_is_none_when_the_status_would_not_change():
    assert followed_status("in_progress", ["in_progress", "planned"]) is None


def test_followed_status_is_none_without_tickets():
    assert followed_status("planned", []) is None


# drift -----------------------------------------------------------------------------------------


def kinds(flags) -> list[tuple[str, str | None]]:
    return [(flag.kind, flag.ticket_key) for flag in flags]


def test_jira_done_mitigation_open_is_flagged_when_not_following():
    flags = drift("in_progress", DUE, False, [view(state="done")])

    assert kinds(flags) == [("jira_done_mitigation_open", None)]


def test_jira_done_mitigation_open_is_not_flagged_when_following():
    assert kinds(drift("in_progress", DUE, True, [view(state="done")])) == []


def test_done_and_cancelled_tickets_both_count_as_finished():
    tickets = [view("OPS-1", state="done"), view("OPS-2", state="cancelled", assignee=None)]

    assert kinds(drift("planned", DUE, False, tickets)) == [("jira_done_mitigation_open", None)]
    assert kinds(drift("done", DUE, False, tickets)) == []


def test_mitigation_done_ticket_open_names_each_open_ticket():
    tickets = [view("OPS-1", state="done"), view("OPS-2", state="in_progress")]

    assert kinds(drift("done", DUE, False, tickets)) == [("mitigation_done_ticket_open", "OPS-2")]


def test_mitigation_done_ticket_open_is_not_flagged_when_following():
    assert kinds(drift("done", DUE, True, [view(state="in_progress")])) == []


@pytest.mark.parametrize("follows", [True, False])
def test_a_ticket_due_later_than_the_mitigation_is_flagged_either_way(follows):
    tickets = [view("OPS-1", due=date(2026, 4, 2)), view("OPS-2", due=DUE)]

    assert kinds(drift("in_progress", DUE, follows, tickets)) == [("ticket_due_later", "OPS-1")]


@pytest.mark.parametrize("follows", [True, False])
def test_an_open_ticket_without_assignee_is_flagged_either_way(follows):
    tickets = [view("OPS-1", assignee=None), view("OPS-2", state="done", assignee=None)]

    assert kinds(drift("in_progress", DUE, follows, tickets)) == [("ticket_unassigned", "OPS-1")]


@pytest.mark.parametrize("follows", [True, False])
def test_a_broken_link_on_open_work_is_flagged_either_way(follows):
    tickets = [view("OPS-1", broken=True), view("OPS-2")]

    assert kinds(drift("in_progress", DUE, follows, tickets)) == [("link_broken", "OPS-1")]


def test_each_flag_names_the_two_values_that_disagree():
    assert [flag.detail for flag in drift("in_progress", DUE, False, [view(state="done")])] == [
        "tickets OPS-1 done, mitigation in progress"
    ]
    [done] = drift("done", DUE, False, [view(state="in_progress")])
    assert done.detail == "mitigation done, ticket OPS-1 in progress"
    [later] = drift("planned", date(2026, 11, 20), False, [view(due=date(2027, 1, 15))])
    assert later.detail == "ticket due 2027-01-15, mitigation due 2026-11-20"
    [unassigned] = drift("planned", DUE, False, [view(assignee=None)])
    assert unassigned.detail == "ticket OPS-1 in progress, no assignee"
    [broken] = drift("blocked", DUE, False, [view(broken=True)])
    assert broken.detail == "ticket OPS-1 gone or hidden, mitigation blocked"


FINISHED_PAIRS = [(m, t) for m in ("done", "cancelled") for t in ("done", "cancelled")]


@pytest.mark.parametrize(("mitigation", "ticket"), FINISHED_PAIRS)
@pytest.mark.parametrize("follows", [True, False])
def test_finished_work_is_never_flagged(mitigation, ticket, follows):
    """The reported case: a ticket due later than the mitigation, both done, stayed flagged."""
    tickets = [view(state=ticket, due=date(2027, 1, 15), assignee=None)]
    assert drift(mitigation, date(2026, 11, 20), follows, tickets) == []


@pytest.mark.parametrize("mitigation", ["done", "cancelled"])
def test_a_finished_mitigation_is_not_flagged_for_a_late_unassigned_or_broken_ticket(mitigation):
    tickets = [
        view("OPS-1", state="in_progress", due=date(2027, 1, 15), assignee=None),
        view("OPS-2", broken=True),
    ]
    found = kinds(drift(mitigation, date(2026, 11, 20), True, tickets))
    assert found == []


@pytest.mark.parametrize("ticket", ["done", "cancelled"])
def test_a_finished_ticket_is_not_flagged_as_due_later_or_unassigned(ticket):
    tickets = [view(state=ticket, due=date(2027, 1, 15), assignee=None)]
    assert kinds(drift("in_progress", date(2026, 11, 20), True, tickets)) == []


def test_no_flags_when_the_mitigation_and_its_tickets_agree():
    assert kinds(drift("in_progress", DUE, False, [view(due=DUE)])) == []


def test_jiras_no_category_key_counts_as_no_category():
    from tracker.domain.jira_mapping import ticket_state

    assert ticket_state("undefined", "Fixed") == "done"
    assert ticket_state("undefined", None) == "planned"
