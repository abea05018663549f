"""The TPM reads the roadmap, opens a mitigation from its bar, and takes the planning list."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.test_roadmap import work
from tracker.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def program(factory):
    sre, search = factory.team("sre", "SRE"), factory.team("search", "Search")
    database = factory.risk(sre, title="Primary database in one zone", likelihood=4, impact=5)
    index = factory.risk(
        search,
        title="Index rebuild takes search down",
        likelihood=3,
        impact=4,
        ettd_minutes=10,
        ettr_minutes=240,
        users_impacted=0.5,
        ettf_days=60,
    )
    index.residual_bad_minutes_per_year = 80.0
    db.session.commit()
    work(database, sre, "Failover drill", due_date=date(2026, 2, 20), status="in_progress")
    work(
        database,
        sre,
        "Replica in a second zone",
        due_date=date(2026, 5, 20),
        original_due_date=date(2026, 3, 25),
        slip_count=2,
    )
    work(database, sre, "Runbook for promotion", due_date=date(2026, 3, 12), status="blocked")
    work(index, search, "Online reindexing", due_date=date(2026, 4, 15), status="in_progress")
    work(index, search, "Shard the index", due_date=date(2026, 9, 1))
    return sre, search


def _shoot(page, name: str) -> None:
    """Keep a screenshot where SCREENSHOT_DIR says (for checking by eye), else nowhere."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_the_roadmap_prints_a_landscape_page_per_team(signed_in_page, program):
    page = signed_in_page("admin")
    page.goto("/roadmap")
    page.emulate_media(media="print")

    pdf = page.pdf(prefer_css_page_size=True)

    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        (Path(folder) / "roadmap.pdf").write_bytes(pdf)
    # SRE, Search, then the data table: each on a page of its own, wider than tall.
    assert pdf_pages(pdf) == 3
    width, height = map(float, re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups())
    assert width > height


def test_the_roadmap_leads_to_a_mitigation_and_planning_to_a_file(signed_in_page, program):
    page = signed_in_page("admin")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Roadmap").click()
    expect(page.get_by_role("heading", name="Roadmap")).to_be_visible()
    expect(page.locator("svg .bar-overdue")).to_have_count(1)
    expect(page.locator("svg .bar-blocked")).to_have_count(1)
    expect(page.locator("svg .slip-line")).to_have_count(1)
    _shoot(page, "roadmap")

    page.locator("svg a", has_text="Replica in a second zone").click()
    expect(page.get_by_role("heading", name="Replica in a second zone")).to_be_visible()

    page.goto("/roadmap/delivery")
    expect(page.get_by_role("heading", name="Delivery, 2026Q1")).to_be_visible()
    _shoot(page, "delivery")

    page.goto("/roadmap/planning")
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Index rebuild takes search down")
    _shoot(page, "planning")
    with page.expect_download() as download:
        page.get_by_role("link", name="Markdown").click()
    text = Path(download.value.path()).read_text()
    assert text.startswith("# Availability work to plan for 2026Q2")
    assert "Index rebuild takes search down" in text
