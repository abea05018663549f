"""The roadmap timeline, the delivery figures and the planning list, with their exports."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

import pytest

from tests.conftest import signed_in_client
from tests.helpers import counting_queries
from tracker.domain.delivery import Quarter, Work, figures, recent_quarters, tally
from tracker.extensions import db
from tracker.models import JiraLink, JiraTicket, Mitigation
from tracker.roadmap import delivery

TODAY = date(2026, 3, 2)  # the clock fixture's day: 2026Q1, the timeline runs January to June


def work(risk, team, title="Replica in a second zone", **fields) -> Mitigation:
    """A mitigation with exactly these dates and this state, as the sync or a user left it."""
    due = fields.pop("due_date", TODAY + timedelta(days=30))
    mitigation = Mitigation(
        risk=risk,
        team=team,
        title=title,
        due_date=due,
        original_due_date=fields.pop("original_due_date", due),
        **fields,
    )
    db.session.add(mitigation)
    db.session.commit()
    return mitigation


@pytest.fixture
def sre(factory):
    return factory.team("sre", "SRE")


@pytest.fixture
def risk(factory, sre):
    return factory.risk(sre, title="Primary database in one zone", likelihood=4, impact=4)


def test_the_timeline_draws_each_open_mitigation_with_a_link_to_it(admin_client, risk, sre):
    late = work(risk, sre, "Failover drill", due_date=date(2026, 2, 20), status="in_progress")
    planned = work(risk, sre, "Second zone", due_date=date(2026, 4, 10))
    work(risk, sre, "Finished already", due_date=date(2026, 2, 1), status="done")

    page = admin_client.get("/roadmap").get_data(as_text=True)

    assert f'href="/mitigations/{late.id}"' in page
    assert f'href="/mitigations/{planned.id}"' in page
    assert "Finished already" not in page
    assert 'class="bar bar-overdue"' in page
    assert "10 d late" in page
    assert 'class="bar bar-planned"' in page
    for month in ("Jan 2026", "Mar 2026", "Jun 2026"):
        assert month in page
    assert "Jul 2026" not in page


def test_a_slipped_mitigation_shows_where_it_started(admin_client, risk, sre):
    work(risk, sre, due_date=date(2026, 5, 15), original_due_date=date(2026, 3, 20), slip_count=2)

    page = admin_client.get("/roadmap").get_data(as_text=True)

    assert 'class="slip-line"' in page
    assert "slipped 2×, first due 2026-03-20" in page
    assert '<td data-label="First due">2026-03-20</td>' in page


def test_work_due_after_the_window_is_kept_in_the_later_lane(admin_client, risk, sre):
    work(risk, sre, "Rewrite the queue", due_date=date(2026, 11, 1))

    page = admin_client.get("/roadmap").get_data(as_text=True)

    assert "Rewrite the queue" in page
    assert 'class="bar bar-planned"' in page


def test_the_timeline_shows_the_linked_tickets_state(admin_client, risk, sre):
    mitigation = work(risk, sre)
    ticket = JiraTicket(key="PLAT-7", status="In Review", status_category="indeterminate")
    db.session.add(JiraLink(ticket=ticket, mitigation_id=mitigation.id))
    db.session.commit()

    page = admin_client.get("/roadmap").get_data(as_text=True)

    assert "PLAT-7 In Review" in page


def test_the_timeline_narrows_to_a_team_and_groups_by_risk(admin_client, factory, risk, sre):
    other = factory.team("search", "Search")
    work(risk, sre, "Ours")
    work(factory.risk(other, title="Index rebuild"), other, "Theirs")

    narrowed = admin_client.get("/roadmap?team=sre").get_data(as_text=True)
    by_risk = admin_client.get("/roadmap?group=risk").get_data(as_text=True)

    assert "Ours" in narrowed and "Theirs" not in narrowed
    assert f"{risk.key} Primary database in one zone" in by_risk
    assert "Index rebuild" in by_risk


def test_the_timeline_explains_a_bad_grouping_and_an_unknown_team(admin_client, risk, sre):
    work(risk, sre, "Ours")

    page = admin_client.get("/roadmap?group=quarter&team=nope").get_data(as_text=True)

    assert "Group by “team” or “risk”, not &#39;quarter&#39;." in page
    assert "There is no team “nope”: showing every team." in page
    assert "Ours" in page


def test_the_timeline_pages_long_lists_in_a_constant_number_of_queries(admin_client, risk, sre):
    def queries_for(count: int) -> int:
        for n in range(count):
            work(risk, sre, f"Step {n}", due_date=TODAY + timedelta(days=n))
        with counting_queries() as statements:
            assert admin_client.get("/roadmap").status_code == 200
        return len(statements)

    few = queries_for(3)
    many = queries_for(120)

    assert few == many
    page = admin_client.get("/roadmap?page=2").get_data(as_text=True)
    assert "101–123 of 123" in page and 'rel="prev"' in page


def test_everyone_signed_in_reads_the_roadmap_and_no_one_else(client, app, viewer):
    assert signed_in_client(app, viewer).get("/roadmap").status_code == 200
    assert signed_in_client(app, viewer).get("/roadmap/delivery").status_code == 200
    assert signed_in_client(app, viewer).get("/roadmap/planning").status_code == 200
    for path in ("/roadmap", "/roadmap/delivery", "/roadmap/planning", "/roadmap/planning.csv"):
        assert client.get(path).status_code == 302


# Delivery


def test_delivery_shows_a_teams_quarter(admin_client, risk, sre):
    work(risk, sre, due_date=date(2026, 2, 10), status="done", completed_on=date(2026, 2, 9))
    work(
        risk,
        sre,
        due_date=date(2026, 3, 31),
        original_due_date=date(2026, 1, 31),
        slip_count=1,
        status="done",
        completed_on=date(2026, 3, 1),
    )
    work(risk, sre, due_date=date(2026, 2, 1), status="blocked", notes="waiting on network")

    page = admin_client.get("/roadmap/delivery?team=sre").get_data(as_text=True)

    assert "Delivery, 2026Q1 — SRE" in page
    assert '<td data-label="Due" class="num">3</td>' in page
    assert '<td data-label="On-time rate" class="num">50%</td>' in page
    assert '<td data-label="Median days late" class="num">29.0</td>' in page
    assert '<td data-label="Open past due" class="num">1</td>' in page
    assert '<td data-label="Blocked" class="num">1</td>' in page


def test_delivery_reads_an_earlier_quarter_and_explains_a_malformed_one(admin_client, risk, sre):
    work(risk, sre, due_date=date(2025, 11, 3), status="done", completed_on=date(2025, 11, 1))

    earlier = admin_client.get("/roadmap/delivery?quarter=2025Q4").get_data(as_text=True)
    wrong = admin_client.get("/roadmap/delivery?quarter=Q4-2025").get_data(as_text=True)

    assert "Delivery, 2025Q4" in earlier and "100%" in earlier
    assert "write it as YEARQn, e.g. 2026Q4. Showing 2026Q1." in wrong


def test_delivery_figures_in_sql_equal_the_rule(app, factory):
    """Random registers: the database's tallies equal the Python rule, team by team."""
    generator = random.Random(20261205)
    teams = [factory.team(f"team-{n}", f"Team {n}") for n in range(3)]
    risks = [factory.risk(team) for team in teams]
    statuses = ["planned", "in_progress", "blocked", "done", "cancelled"]
    for _ in range(150):
        team = generator.choice(teams)
        original = date(2025, 1, 1) + timedelta(days=generator.randrange(0, 480))
        due = original + timedelta(days=generator.choice([0, 0, 10, 45, -5]))
        status = generator.choice(statuses)
        completed = (
            due + timedelta(days=generator.randrange(-20, 40))
            if status == "done" and generator.random() < 0.9
            else None
        )
        work(
            generator.choice(risks),
            team,
            due_date=due,
            original_due_date=original,
            status=status,
            completed_on=completed,
            slip_count=generator.randrange(0, 3),
        )
    quarters = recent_quarters(TODAY)

    report = delivery.report(quarters, TODAY)

    everything = db.session.scalars(db.select(Mitigation)).all()
    for row in report.teams:
        mine = [
            Work(m.status, m.due_date, m.original_due_date, m.completed_on, m.slip_count)
            for m in everything
            if m.team_id == row.team.id
        ]
        for quarter, result in zip(quarters, row.quarters, strict=True):
            assert result == figures(*tally(mine, quarter, TODAY)), (row.team.slug, quarter)


def test_delivery_costs_the_same_queries_whatever_the_size(admin_client, factory, risk, sre):
    def queries_for(teams: int) -> int:
        for n in range(teams):
            team = factory.team(f"t{n}-{teams}", f"T{n} {teams}")
            work(factory.risk(team), team, due_date=date(2026, 1, 5), status="done")
        with counting_queries() as statements:
            assert admin_client.get("/roadmap/delivery").status_code == 200
        return len(statements)

    assert queries_for(2) == queries_for(12)


# Planning


@pytest.fixture
def planned_register(factory, sre):
    big = factory.risk(
        sre,
        title="Single region",
        likelihood=2,
        impact=5,
        ettd_minutes=30,
        ettr_minutes=600,
        users_impacted=1,
        ettf_days=365,
    )
    big.residual_bad_minutes_per_year = 100.0
    unmitigated = factory.risk(sre, title="No backups tested", likelihood=3, impact=4)
    slipping = factory.risk(sre, title="Cache stampede", likelihood=4, impact=4)
    db.session.commit()
    work(slipping, sre, due_date=date(2026, 5, 1), slip_count=2)
    quiet = factory.risk(sre, title="Tidy dashboards", likelihood=1, impact=2)
    work(quiet, sre, due_date=date(2026, 4, 1))
    return big, unmitigated, slipping, quiet


def test_planning_lists_what_needs_work_ranked_by_minutes_saved(admin_client, planned_register):
    page = admin_client.get("/roadmap/planning?team=sre").get_data(as_text=True)

    assert "Planning for 2026Q2 — SRE" in page
    # Minutes saved first; without estimates, the higher score (16 before 12).
    assert page.index("Single region") < page.index("Cache stampede")
    assert page.index("Cache stampede") < page.index("No backups tested")
    assert "Tidy dashboards" not in page
    assert "Too big to accept" in page
    assert "Work keeps slipping (2+ slips)" in page
    # (30 + 600) × 1 × 365.25 / 365 ≈ 630 bad minutes a year, 100 left once mitigated.
    assert ">630<" in page and ">530<" in page


def test_planning_flags_work_due_after_the_quarter_and_expiring_acceptances(
    admin_client, factory, sre
):
    late = factory.risk(sre, title="Noisy neighbour", likelihood=5, impact=3)
    work(late, sre, due_date=date(2026, 8, 1))
    accepted = factory.risk(sre, title="Legacy queue", likelihood=2, impact=2)
    accepted.status, accepted.acceptance_expires = "accepted", date(2026, 5, 20)
    db.session.commit()

    page = admin_client.get("/roadmap/planning").get_data(as_text=True)

    assert "Work due after the quarter" in page
    assert "Acceptance expires in the quarter" in page


def test_planning_exports_csv_with_formulas_defused(admin_client, factory, sre):
    factory.risk(sre, title='=HYPERLINK("http://evil")', likelihood=3, impact=4)

    response = admin_client.get("/roadmap/planning.csv?team=sre")

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0]["title"].startswith("'=")
    assert rows[0]["reasons"] == "No mitigation"
    assert rows[0]["rank"] == "1"


def test_planning_exports_markdown_without_raw_html(admin_client, factory, sre):
    factory.risk(sre, title="<script>alert(1)</script> | [x](javascript:alert(1))", impact=4)

    text = admin_client.get("/roadmap/planning.md").get_data(as_text=True)

    assert text.startswith("# Availability work to plan for 2026Q2")
    assert "<script>" not in text
    assert "[x](javascript:" not in text  # the brackets are escaped: no link
    assert "\\|" in text


def test_planning_export_refuses_an_unknown_team_or_quarter(admin_client):
    assert admin_client.get("/roadmap/planning.csv?team=nope").status_code == 404
    assert admin_client.get("/roadmap/planning.md?quarter=soon").status_code == 404


def test_planning_counts_in_a_constant_number_of_queries(admin_client, factory, sre):
    def queries_for(count: int) -> int:
        for n in range(count):
            factory.risk(sre, title=f"Gap {count}-{n}", likelihood=3, impact=4)
        with counting_queries() as statements:
            assert admin_client.get("/roadmap/planning").status_code == 200
        return len(statements)

    assert queries_for(2) == queries_for(30)


def test_quarter_of_the_clock_is_the_first_quarter(app):
    assert Quarter.of(TODAY) == Quarter(2026, 1)


# The residual estimate that gives the minutes saved


def test_the_risk_form_takes_the_estimate_once_mitigated(admin_client, factory, sre):
    from tracker.risks import services as risk_services

    risk = factory.risk(
        sre, ettd_minutes=30, ettr_minutes=600, users_impacted=1, ettf_days=365, impact=5
    )
    form = admin_client.get(f"/risks/{risk.key}/edit").get_data(as_text=True)
    assert 'name="residual_bad_minutes_per_year"' in form

    risk_services.update_risk(
        risk, {"residual_bad_minutes_per_year": "100"}, None, expected_version=risk.version
    )

    page = admin_client.get(f"/risks/{risk.key}").get_data(as_text=True)
    assert "(the work saves 530)" in page


def test_the_estimate_is_validated_and_kept_through_the_api_and_the_csv(app, admin, factory, sre):
    from tracker.api import tokens

    token = tokens.create_token(admin, "tests")[1]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "title": "Single region",
        "category": "infrastructure",
        "team": "sre",
        "likelihood": 3,
        "impact": 5,
        "residual_bad_minutes_per_year": 12.5,
    }

    created = client.post("/api/v1/risks", json=body, headers=headers)
    too_many = client.post(
        "/api/v1/risks", json=body | {"residual_bad_minutes_per_year": 600_000}, headers=headers
    )

    assert created.status_code == 201, created.get_json()
    assert created.get_json()["residual_bad_minutes_per_year"] == 12.5
    assert too_many.status_code == 422
    assert "525,960" in too_many.get_json()["errors"]["residual_bad_minutes_per_year"]
    exported = signed_in_client(app, admin).get("/risks/export.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert rows[0]["residual_bad_minutes_per_year"] == "12.5"


def test_incident_follow_ups_count_with_the_rest_and_apart(app, admin, factory, sre, clock):
    from datetime import timedelta as delta

    from tracker.api import tokens
    from tracker.incidents import services as incident_services

    risk = factory.risk(sre, title="Primary database in one zone")
    start = clock.current - delta(days=10)
    incident = incident_services.create_incident(
        {
            "title": "Failover took an hour",
            "severity": "sev1",
            "team": "sre",
            "started_at": start,
            "resolved_at": start + delta(hours=1),
            "impact_minutes": 60,
        },
        admin,
    )
    incident_services.link_risk(incident, risk, admin)
    follow_up = work(risk, sre, "Automate failover", due_date=date(2026, 2, 1), status="done")
    follow_up.completed_on, follow_up.source_incident_id = date(2026, 2, 4), incident.id
    follow_up.horizon = "short"
    work(risk, sre, "Second zone", due_date=date(2026, 2, 10), status="done")
    db.session.commit()
    token = tokens.create_token(admin, "tests")[1]

    body = (
        app.test_client()
        .get("/api/v1/delivery", headers={"Authorization": f"Bearer {token}"})
        .get_json()
    )
    page = signed_in_client(app, admin).get("/roadmap/delivery").get_data(as_text=True)

    assert body["overall"]["due"] == 2 and body["teams"][0]["due"] == 2
    assert (body["follow_ups"]["due"], body["follow_ups"]["late"]) == (1, 1)
    assert body["follow_ups"]["median_days_late"] == 3
    assert "Of which incident follow-ups" in page
