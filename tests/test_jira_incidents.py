"""Incidents read from Jira by the sync (JIRA_INCIDENT_JQL), against the local Jira server
in its Data Center and Cloud shapes, through the real `jira` package.

The clock stands at 2026-03-02 09:00 UTC, on both sides.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.jira_server import samples_dir
from tracker import ConfigurationError, create_app
from tracker.extensions import db
from tracker.incidents import services
from tracker.jira.incident_issues import read_issue
from tracker.jira.incident_settings import incident_pull
from tracker.jira.settings import JiraSettings
from tracker.jira.sync import run_sync
from tracker.models import Incident, IncidentEvent

SEVERITY_MAP = "Highest=sev1, High=sev2, Medium=sev3, Low=sev4"


@pytest.fixture
def pulling(app, jira, payments):
    """The app reading `project = INC` as incidents of Payments."""
    app.config.update(
        JIRA_INCIDENT_JQL="project = INC",
        JIRA_INCIDENT_TEAM="payments",
        JIRA_INCIDENT_SEVERITY_MAP=SEVERITY_MAP,
    )
    return jira


def sync(app, **kwargs):
    return run_sync(JiraSettings.from_config(app.config), **kwargs)


def add_incident_issue(fake, key="INC-1", **fields):
    """An hour-long outage yesterday, resolved, priority High."""
    values = {
        "summary": "Checkout returned 502s",
        "created": "2026-03-01T10:00:00.000+0000",
        "status_name": "Done",
        "status_category": "done",
        "resolution": "Done",
        "resolutiondate": "2026-03-01T11:00:00.000+0000",
        "priority": "High",
        **fields,
    }
    return fake.add_ticket(key, **values)


def incident_of(jira_key: str) -> Incident:
    db.session.expire_all()
    return db.session.scalar(sa.select(Incident).where(Incident.jira_key == jira_key))


def incident_tables() -> dict[str, list]:
    tables = (Incident.__table__, IncidentEvent.__table__)
    with db.engine.connect() as conn:
        return {
            table.name: conn.execute(table.select().order_by(table.c.id)).all() for table in tables
        }


def test_a_matching_issue_becomes_an_incident_jira_owns_in_part(app, pulling):
    add_incident_issue(pulling)
    pulling.add_ticket("OPS-1", summary="Not an incident")
    run = sync(app, full=True)
    assert run.status == "succeeded", (run.error, run.problems)
    assert (run.incidents_read, run.incidents_changed) == (1, 1)
    incident = incident_of("INC-1")
    assert (incident.key, incident.title, incident.status) == (
        "INC-1",
        "Checkout returned 502s",
        "closed",
    )
    assert incident.started_at == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert incident.resolved_at == datetime(2026, 3, 1, 11, tzinfo=UTC)
    assert (incident.severity, incident.team.slug, incident.impact_minutes) == (
        "sev2",
        "payments",
        0,
    )
    event = db.session.scalars(sa.select(IncidentEvent).filter_by(incident=incident)).one()
    assert (event.field, event.actor, event.reason) == ("created", None, "Jira sync: INC-1.")
    assert db.session.scalar(sa.select(sa.func.count(Incident.id))) == 1


def test_the_configured_jql_is_parenthesised_and_windowed(app, pulling):
    app.config["JIRA_INCIDENT_JQL"] = "project = INC OR labels = outage"
    add_incident_issue(pulling)
    pulling.add_ticket(
        "OPS-1",
        labels=["outage"],
        priority="Low",
        created="2026-03-01T12:00:00.000+0000",
        updated="2026-03-02T07:00:00.000+0000",
    )
    pulling.add_ticket("OPS-2", summary="Unrelated", updated="2026-02-01T10:00:00.000+0000")
    assert sync(app, full=True).status == "succeeded"
    pulling.clear_requests()
    pulling.update_ticket("INC-1", summary="Checkout returned 503s")
    run = sync(app)
    sent = [str(request.param("jql")) for request in pulling.search_requests()]
    assert "(project = INC OR labels = outage) AND updated >= -" in sent[-1]
    assert sent[-1].endswith(" ORDER BY key")
    assert run.incidents_read == 1, "an incremental run reads only what changed"
    assert incident_of("INC-1").title == "Checkout returned 503s"
    assert incident_of("OPS-1") is not None and incident_of("OPS-2") is None


def test_issues_are_read_and_written_a_page_at_a_time(app, pulling):
    app.config["JIRA_BATCH_SIZE"] = 2
    for number in range(1, 6):
        add_incident_issue(pulling, f"INC-{number}", summary=f"Outage {number}")
    pulling.clear_requests()
    run = sync(app, full=True)
    assert (run.status, run.incidents_read) == ("succeeded", 5)
    searches = [r for r in pulling.search_requests() if "project = INC" in str(r.param("jql"))]
    assert len(searches) == 3
    numbers = db.session.scalars(sa.select(Incident.number).order_by(Incident.number)).all()
    assert numbers == [1, 2, 3, 4, 5]


def test_a_second_run_changes_nothing(app, pulling):
    add_incident_issue(pulling)
    add_incident_issue(
        pulling,
        "INC-2",
        status_name="In Progress",
        status_category="indeterminate",
        resolution=None,
        resolutiondate=None,
    )
    sync(app, full=True)
    before = incident_tables()
    run = sync(app, full=True)
    assert (run.status, run.incidents_read, run.incidents_changed) == ("succeeded", 2, 0)
    assert incident_tables() == before


def test_jira_changes_reach_fields_nobody_corrected(app, pulling):
    add_incident_issue(
        pulling,
        status_name="In Progress",
        status_category="indeterminate",
        resolution=None,
        resolutiondate=None,
    )
    sync(app, full=True)
    assert incident_of("INC-1").status == "open"
    pulling.update_ticket(
        "INC-1",
        priority="Highest",
        status_name="Done",
        status_category="done",
        resolution="Done",
        resolutiondate="2026-03-01T11:30:00.000+0000",
    )
    run = sync(app, full=True)
    incident = incident_of("INC-1")
    assert run.incidents_changed == 1
    assert (incident.severity, incident.status) == ("sev1", "closed")
    assert incident.resolved_at == datetime(2026, 3, 1, 11, 30, tzinfo=UTC)
    assert incident.jira_drift == ""


def test_a_local_correction_is_kept_and_shown_as_drift(app, pulling, admin, viewer_client):
    add_incident_issue(pulling)
    sync(app, full=True)
    incident = incident_of("INC-1")
    services.update_incident(
        incident,
        {"title": "Checkout 502s (LB misconfig)", "impact_minutes": "20"},
        admin,
        expected_version=incident.version,
    )
    pulling.update_ticket("INC-1", summary="Checkout errors", priority="Highest")
    run = sync(app, full=True)
    assert run.status == "succeeded"
    incident = incident_of("INC-1")
    assert incident.title == "Checkout 502s (LB misconfig)", "a person's correction is kept"
    assert incident.severity == "sev1", "a field nobody corrected follows Jira"
    assert incident.impact_minutes == 20, "the impact is the tracker's"
    assert incident.jira_drift == "title"
    drift_page = viewer_client.get("/jira/drift").get_data(as_text=True)
    assert "INC-1" in drift_page and "Checkout errors" in drift_page
    detail = viewer_client.get(f"/incidents/{incident.key}").get_data(as_text=True)
    assert 'id="jira-drift"' in detail and "Checkout errors" in detail

    pulling.update_ticket("INC-1", summary="Checkout 502s (LB misconfig)")
    sync(app, full=True)
    assert incident_of("INC-1").jira_drift == "", "the flag clears once Jira says the same"


def test_an_unmapped_priority_gets_the_default_severity_and_a_warning(app, pulling):
    add_incident_issue(pulling, priority="Blocker")
    run = sync(app, full=True)
    assert run.status == "partial"
    assert incident_of("INC-1").severity == "sev4"
    [problem] = json.loads(run.problems)
    assert "'Blocker' is not in JIRA_INCIDENT_SEVERITY_MAP; recorded as sev4" in problem


def test_a_deleted_issue_leaves_its_incident_marked(app, pulling, viewer_client):
    add_incident_issue(pulling)
    add_incident_issue(pulling, "INC-2")
    sync(app, full=True)
    pulling.delete_ticket("INC-2")
    run = sync(app, full=True)
    assert run.status == "succeeded"
    gone = incident_of("INC-2")
    assert gone is not None and gone.jira_gone_at == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert incident_of("INC-1").jira_gone_at is None
    page = viewer_client.get(f"/incidents/{gone.key}").get_data(as_text=True)
    assert "Jira no longer returns it" in page


def test_a_page_jira_cannot_give_makes_the_run_partial_and_marks_nothing_gone(app, pulling):
    add_incident_issue(pulling)
    add_incident_issue(pulling, "INC-2")
    sync(app, full=True)
    pulling.delete_ticket("INC-2")
    for prefix in ("/rest/api/2/search", "/rest/api/3/search"):
        pulling.fail(prefix, 500, times=3)
    run = sync(app, full=True)
    assert run.status == "partial"
    assert any("Incidents from Jira: Jira answered HTTP 500" in p for p in json.loads(run.problems))
    assert incident_of("INC-2").jira_gone_at is None, "an incomplete read proves nothing gone"


def test_start_and_end_may_come_from_custom_fields(app, pulling):
    app.config.update(
        JIRA_INCIDENT_START_FIELD="customfield_10100", JIRA_INCIDENT_END_FIELD="customfield_10101"
    )
    times = {
        "customfield_10100": "2026-03-01T09:40:00.000+0000",
        "customfield_10101": "2026-03-01T10:30:00.000+0000",
    }
    add_incident_issue(pulling, custom=times)
    add_incident_issue(pulling, "INC-2", custom={"customfield_10100": None})
    add_incident_issue(pulling, "INC-3", custom={"customfield_10100": "2026-03-01"})
    assert sync(app, full=True).status == "succeeded"
    first, second, third = (incident_of(f"INC-{n}") for n in (1, 2, 3))
    assert first.started_at == datetime(2026, 3, 1, 9, 40, tzinfo=UTC)
    assert first.resolved_at == datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    assert second.started_at == datetime(2026, 3, 1, 10, tzinfo=UTC), "unset: created"
    assert second.resolved_at == datetime(2026, 3, 1, 11, tzinfo=UTC), "unset: resolutiondate"
    assert third.started_at == datetime(2026, 3, 1, tzinfo=UTC), "a date picker's day"


def test_odd_values_are_cut_or_left_out_and_make_the_run_partial(app, pulling):
    add_incident_issue(pulling, summary="x" * 500)
    add_incident_issue(pulling, "INC-2", resolutiondate="2026-02-01T10:00:00.000+0000")
    app.config["JIRA_INCIDENT_START_FIELD"] = "customfield_10100"
    add_incident_issue(pulling, "INC-3", custom={"customfield_10100": "last Tuesday"})
    run = sync(app, full=True)
    assert run.status == "partial"
    problems = json.loads(run.problems)
    cut = incident_of("INC-1")
    assert len(cut.title) == 200 and cut.title.endswith("…")
    assert any("INC-1" in p and "cut" in p for p in problems)
    assert incident_of("INC-2") is None
    assert any("INC-2" in p and "resolved before it started" in p for p in problems)
    assert incident_of("INC-3").started_at == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert any("INC-3" in p and "not a date" in p for p in problems)


def test_a_dry_run_writes_no_incident(app, pulling):
    add_incident_issue(pulling)
    run = sync(app, full=True, dry_run=True)
    assert run.incidents_read == 1
    assert incident_of("INC-1") is None


def test_a_team_that_does_not_exist_is_said_and_nothing_is_read(app, pulling):
    app.config["JIRA_INCIDENT_TEAM"] = "nowhere"
    add_incident_issue(pulling)
    run = sync(app, full=True)
    assert run.status == "partial"
    assert "JIRA_INCIDENT_TEAM names no team ('nowhere')" in json.loads(run.problems)[0]
    assert incident_of("INC-1") is None


def test_the_cli_summary_counts_the_incidents(app, pulling, runner):
    from tracker.jira.cli import jira_cli

    add_incident_issue(pulling)
    result = runner.invoke(jira_cli, ["sync", "--full"])
    assert result.exit_code == 0, result.output
    assert "1 incident read, 1 recorded or changed" in result.stdout


def test_jira_check_names_the_incident_query_and_an_unknown_team(app, pulling, runner):
    from tracker.jira.cli import jira_cli

    result = runner.invoke(jira_cli, ["check"])
    assert "Incidents:  (project = INC), owned by payments\n" in result.stdout
    app.config["JIRA_INCIDENT_TEAM"] = "nowhere"
    result = runner.invoke(jira_cli, ["check"])
    assert "owned by nowhere (no such team: create it first)" in result.stdout


# Settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        (
            {"JIRA_INCIDENT_SEVERITY_MAP": "High sev2"},
            "JIRA_INCIDENT_SEVERITY_MAP: write each entry as Priority=level",
        ),
        (
            {"JIRA_INCIDENT_SEVERITY_MAP": "High=sev9"},
            "'sev9' is not one of the INCIDENT_SEVERITIES",
        ),
        ({"JIRA_INCIDENT_SEVERITY_MAP": "High=sev1,high=sev2"}, "mapped twice"),
        ({"JIRA_INCIDENT_TEAM": ""}, "JIRA_INCIDENT_TEAM: give the slug"),
        ({"JIRA_INCIDENT_TEAM": "Payments Team"}, "JIRA_INCIDENT_TEAM: Use 2 to 64"),
        ({"JIRA_INCIDENT_JQL": "project = INC ORDER BY created"}, "leave out ORDER BY"),
        ({"JIRA_INCIDENT_JQL": "(project = INC"}, "parentheses do not pair up"),
        (
            {"JIRA_INCIDENT_START_FIELD": "Start time"},
            "JIRA_INCIDENT_START_FIELD: give a Jira field id",
        ),
    ],
)
def test_bad_settings_refuse_to_start_saying_which(app_config, settings, fragment):
    config = {
        **app_config,
        "JIRA_INCIDENT_JQL": "project = INC",
        "JIRA_INCIDENT_TEAM": "payments",
        **settings,
    }
    with pytest.raises(ConfigurationError, match="Refusing to start") as refused:
        create_app(config)
    assert fragment in str(refused.value)


def test_without_jql_nothing_is_read_and_the_rest_is_not_checked():
    assert incident_pull({"JIRA_INCIDENT_TEAM": "Not A Slug"}) is None


# Real payloads -------------------------------------------------------------------------------


def test_the_data_center_search_sample_reads_as_incidents():
    sample = samples_dir() / "server_v2_search_11_issues__jira-ruby.json"
    if not sample.exists():
        pytest.skip(f"{sample.name} is not among the Jira samples")
    pull = incident_pull(
        {
            "JIRA_INCIDENT_JQL": "project = SAMPLEPROJECT",
            "JIRA_INCIDENT_TEAM": "ops",
            "JIRA_INCIDENT_SEVERITY_MAP": "Major=sev2",
        }
    )
    for issue in json.loads(sample.read_text())["issues"]:
        data, notes = read_issue(issue, pull)
        assert notes == [], notes
        created = datetime.strptime(issue["fields"]["created"], "%Y-%m-%dT%H:%M:%S.%f%z")
        assert data.started_at == created and data.started_at.tzinfo is not None
        assert (data.key, data.severity) == (issue["key"], "sev2")
        assert data.title == issue["fields"]["summary"].strip()


def test_the_cloud_search_sample_reads_without_raising():
    sample = samples_dir() / "cloud_v3_search_jql_example__atlassian-openapi.json"
    if not sample.exists():
        pytest.skip(f"{sample.name} is not among the Jira samples")
    pull = incident_pull({"JIRA_INCIDENT_JQL": "project = EX", "JIRA_INCIDENT_TEAM": "ops"})
    for issue in json.loads(sample.read_text())["issues"]:
        data, notes = read_issue(issue, pull)
        assert data is not None or notes, (
            "an issue without a usable start is said, not dropped silently"
        )
