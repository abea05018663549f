"""The register list: filters, sorting, paging, and its cost in SQL queries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import counting_queries
from tracker.extensions import db
from tracker.models import Category, Risk, Tag, risk_tags
from tracker.risks import services


def keys_on(page_html: str) -> list[str]:
    """The risk keys in the register table, in order."""
    body = page_html.split("<tbody>", 1)[1] if "<tbody>" in page_html else ""
    return re.findall(r'<td data-label="Key"><a href="/risks/(RISK-\d+)"', body)


@pytest.fixture
def register(admin, factory, clock):
    """Five risks across two teams, with owners, tags and numbers chosen to tell sorts apart."""
    factory.team("payments", "Payments")
    factory.team("search", "Search")
    owner = factory.user(email="olga@example.com", name="Olga Owner")
    rows = [
        dict(
            title="Database in one zone",
            team="payments",
            likelihood=5,
            impact=5,
            residual_likelihood=2,
            residual_impact=5,
            category="infrastructure",
            tags="aws, db",
            owner=owner.email,
            ettd_minutes=10,
            ettr_minutes=500,
            users_impacted=1,
            ettf_days=365.25,
        ),
        dict(
            title="Certificate expiry",
            team="payments",
            likelihood=2,
            impact=4,
            residual_likelihood=1,
            residual_impact=4,
            category="security",
            tags="tls",
            description="The edge certificate is renewed by hand.",
        ),
        dict(
            title="Search index rebuild overload",
            team="search",
            likelihood=3,
            impact=3,
            category="capacity",
            tags="db",
            ettd_minutes=5,
            ettr_minutes=5,
            users_impacted=0.5,
            ettf_days=30,
        ),
        dict(
            title="Deploys without canary",
            team="search",
            likelihood=4,
            impact=3,
            residual_likelihood=1,
            residual_impact=3,
            category="deploy",
        ),
        dict(
            title="Payment provider outage",
            team="payments",
            likelihood=1,
            impact=2,
            category="dependency",
            owner=owner.email,
        ),
    ]
    risks = []
    for row in rows:
        risks.append(services.create_risk({"category": "infrastructure", **row}, admin))
        clock.advance(hours=1)
    services.change_status(risks[3], "mitigating", admin)
    return risks


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["RISK-1", "RISK-4", "RISK-3", "RISK-2", "RISK-5"]),
        ("team=search", ["RISK-4", "RISK-3"]),
        ("status=mitigating", ["RISK-4"]),
        ("band=critical", ["RISK-1"]),
        ("band=medium", ["RISK-3", "RISK-2"]),
        ("band=low", ["RISK-5"]),
        ("category=security", ["RISK-2"]),
        ("owner=olga@example.com", ["RISK-1", "RISK-5"]),
        ("tag=db", ["RISK-1", "RISK-3"]),
        ("q=canary", ["RISK-4"]),
        ("q=renewed+by+hand", ["RISK-2"]),
        ("q=risk-5", ["RISK-5"]),
        ("team=payments&tag=db", ["RISK-1"]),
    ],
)
def test_register_filters(viewer_client, register, query, expected):
    assert keys_on(viewer_client.get(f"/risks?{query}").get_data(as_text=True)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-score", ["RISK-1", "RISK-4", "RISK-3", "RISK-2", "RISK-5"]),
        ("score", ["RISK-5", "RISK-2", "RISK-3", "RISK-4", "RISK-1"]),
        # Residuals not assessed (RISK-3, RISK-5) come last in either direction.
        ("-residual", ["RISK-1", "RISK-2", "RISK-4", "RISK-3", "RISK-5"]),
        ("residual", ["RISK-4", "RISK-2", "RISK-1", "RISK-5", "RISK-3"]),
        ("title", ["RISK-2", "RISK-1", "RISK-4", "RISK-5", "RISK-3"]),
        ("-title", ["RISK-3", "RISK-5", "RISK-4", "RISK-1", "RISK-2"]),
        # Ties (same team, same status) go to the newest key.
        ("team", ["RISK-5", "RISK-2", "RISK-1", "RISK-4", "RISK-3"]),
        ("-team", ["RISK-4", "RISK-3", "RISK-5", "RISK-2", "RISK-1"]),
        ("status", ["RISK-5", "RISK-3", "RISK-2", "RISK-1", "RISK-4"]),
        ("-status", ["RISK-4", "RISK-5", "RISK-3", "RISK-2", "RISK-1"]),
        ("-bad_minutes", ["RISK-1", "RISK-3", "RISK-5", "RISK-4", "RISK-2"]),
        ("-updated", ["RISK-4", "RISK-5", "RISK-3", "RISK-2", "RISK-1"]),
        ("next_review", ["RISK-1", "RISK-4", "RISK-3", "RISK-2", "RISK-5"]),
    ],
)
def test_register_sorts(viewer_client, register, sort, expected):
    assert keys_on(viewer_client.get(f"/risks?sort={sort}").get_data(as_text=True)) == expected


def test_every_column_header_the_readme_names_sorts(viewer_client, register):
    page = viewer_client.get("/risks").get_data(as_text=True)
    for sort in ("key", "title", "team", "score", "residual", "bad_minutes", "status"):
        assert f"sort={sort}" in page or f"sort=-{sort}" in page, sort
    assert "sort=-mitigations" in page and "sort=next_review" in page and "sort=-updated" in page


def test_unknown_filter_values_are_ignored_with_an_explanation(viewer_client, register):
    response = viewer_client.get("/risks?band=huge&sort=colour&page=x")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ignored band &#39;huge&#39;" in page and "Ignored sort" in page
    assert len(keys_on(page)) == 5


def test_the_csv_export_refuses_an_unknown_sort_saying_what_to_use(viewer_client, register):
    response = viewer_client.get("/risks/export.csv?sort=colour")
    assert response.status_code == 400
    assert "Ignored sort 'colour': use one of key, title" in response.get_data(as_text=True)


def test_filter_links_keep_the_filter_in_the_url(viewer_client, register):
    page = viewer_client.get("/risks?team=payments&sort=-updated").get_data(as_text=True)
    assert "/risks/export.csv?team=payments&amp;sort=-updated" in page


@pytest.mark.app_config(RISKS_PER_PAGE=2)
def test_register_pages_through_the_results(viewer_client, register):
    first = viewer_client.get("/risks").get_data(as_text=True)
    third = viewer_client.get("/risks?page=3").get_data(as_text=True)
    beyond = viewer_client.get("/risks?page=9").get_data(as_text=True)
    assert keys_on(first) == ["RISK-1", "RISK-4"] and "Page 1 of 3" in first
    assert keys_on(third) == ["RISK-5"] and 'rel="prev"' in third and 'rel="next"' not in third
    assert keys_on(beyond) == ["RISK-5"], "a page past the end shows the last page"


def test_export_csv_follows_the_filter(viewer_client, register):
    response = viewer_client.get("/risks/export.csv?team=search")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("key,title,")
    assert [line.split(",")[0] for line in lines[1:]] == ["RISK-4", "RISK-3"]


def insert_risks(count: int, team_id: int, owner_id: int) -> None:
    """Bulk-insert `count` risks, each with two tags, straight into the tables."""
    category_id = db.session.scalar(sa.select(Category.id).limit(1))
    start = (db.session.scalar(sa.select(sa.func.max(Risk.number))) or 0) + 1
    now = datetime(2026, 3, 2, tzinfo=UTC)
    rows = [
        {
            "number": n,
            "title": f"Risk {n}",
            "description": "",
            "category_id": category_id,
            "service": "",
            "team_id": team_id,
            "owner_id": owner_id,
            "likelihood": 1 + n % 5,
            "impact": 1 + n % 4,
            "score": (1 + n % 5) * (1 + n % 4),
            "residual_likelihood": 1,
            "residual_impact": 1,
            "residual_score": 1,
            "treatment": "mitigate",
            "status": "open",
            "next_review": date(2026, 4, 1) + timedelta(days=n % 30),
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(start, start + count)
    ]
    db.session.execute(sa.insert(Risk), rows)
    tags = [Tag(name=f"tag-{start}-{i}") for i in range(2)]
    db.session.add_all(tags)
    db.session.flush()
    ids = db.session.scalars(sa.select(Risk.id).where(Risk.number >= start)).all()
    db.session.execute(
        sa.insert(risk_tags), [{"risk_id": i, "tag_id": tag.id} for i in ids for tag in tags]
    )
    db.session.commit()


def test_a_register_page_costs_the_same_queries_for_10_and_10000_risks(viewer_client, factory):
    team = factory.team("payments", "Payments")
    owner = factory.user(email="o@example.com")
    insert_risks(10, team.id, owner.id)
    viewer_client.get("/risks")  # warm: the first request of a client loads extra state
    with counting_queries() as few:
        page = viewer_client.get("/risks?sort=-updated").get_data(as_text=True)
    assert len(keys_on(page)) == 10
    insert_risks(9_990, team.id, owner.id)
    with counting_queries() as many:
        page = viewer_client.get("/risks?sort=-updated").get_data(as_text=True)
    assert len(keys_on(page)) == 50 and "Page 1 of 200" in page
    assert len(many) == len(few), f"{len(few)} queries for 10 risks, {len(many)} for 10,000"


class TestMitigationColumns:
    @pytest.fixture
    def work(self, register, admin, clock):
        """RISK-1: one overdue and one done; RISK-2: due soon; RISK-3: all done."""
        from tracker.mitigations.services import add_mitigation, update_mitigation

        today = clock.current.date()

        def add(risk, days, status="planned"):
            return add_mitigation(
                risk,
                {
                    "title": f"Work on {risk.key}",
                    "team": risk.team.slug,
                    "due_date": today + timedelta(days=days),
                    "status": status,
                },
                admin,
            )

        add(register[0], -1)
        add(register[0], 30, "done")
        add(register[1], 14)
        done = add(register[2], 3)
        update_mitigation(done, {"status": "done"}, admin, expected_version=done.version)
        return register

    @pytest.mark.parametrize(
        ("state", "expected"),
        [("overdue", ["RISK-1"]), ("due_soon", ["RISK-2"]), ("rescore", ["RISK-3"])],
    )
    def test_register_filters_by_mitigation_state(self, viewer_client, work, state, expected):
        page = viewer_client.get(f"/risks?mitigations={state}").get_data(as_text=True)
        assert keys_on(page) == expected

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            # Most overdue work first, then most open work; then the newest key.
            ("-mitigations", ["RISK-1", "RISK-2", "RISK-5", "RISK-4", "RISK-3"]),
            ("mitigations", ["RISK-5", "RISK-4", "RISK-3", "RISK-2", "RISK-1"]),
        ],
    )
    def test_register_sorts_by_mitigations(self, viewer_client, work, sort, expected):
        assert keys_on(viewer_client.get(f"/risks?sort={sort}").get_data(as_text=True)) == expected

    def test_register_shows_done_overdue_and_due_soon_counts(self, viewer_client, work):
        page = viewer_client.get("/risks").get_data(as_text=True)
        row_1 = page.split('href="/risks/RISK-1"', 1)[1].split("</tr>", 1)[0]
        row_2 = page.split('href="/risks/RISK-2"', 1)[1].split("</tr>", 1)[0]
        assert "1/2 done" in row_1 and "1 overdue" in row_1
        assert "0/1 done" in row_2 and "1 due soon" in row_2
