"""Filter menus stay small: while there are few owners, tags or services the filter is a menu;
past the limit (made 2 here) it is a text box that filters the same way, keeping its value."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.helpers import record_incident
from tracker import filter_options


@pytest.fixture(autouse=True)
def small_limit(monkeypatch):
    monkeypatch.setattr(filter_options, "OPTION_LIMIT", 2)


@pytest.fixture
def payments(factory):
    return factory.team("payments", "Payments")


def owned_risks(factory, team, count: int) -> None:
    for n in range(count):
        owner = factory.user(email=f"owner{n}@example.com", name=f"Owner {n}")
        factory.risk(team=team, owner=owner, title=f"Owned {n}", tags=f"tag{n}")


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_few_owners_and_tags_are_menus(viewer_client, factory, payments):
    owned_risks(factory, payments, 2)
    page = page_of(viewer_client, "/risks")
    assert '<select name="owner">' in page and '<option value="owner1@example.com"' in page
    assert '<select name="tag">' in page


def test_many_owners_and_tags_are_text_boxes_that_filter_and_keep_their_value(
    viewer_client, factory, payments
):
    owned_risks(factory, payments, 3)
    page = page_of(viewer_client, "/risks?owner=Owner2@example.com&tag=tag2")
    assert '<select name="owner">' not in page and '<select name="tag">' not in page
    assert '<input type="search" name="owner" value="owner2@example.com"' in page
    assert '<input type="search" name="tag" value="tag2"' in page
    assert re.findall(r">(Owned \d)<", page) == ["Owned 2"]


def test_many_services_are_a_text_box_that_filters(viewer_client, payments, clock):
    for n in range(3):
        record_incident(
            payments,
            clock.current - timedelta(hours=2),
            timedelta(hours=1),
            10,
            title=f"Outage {n}",
            services=f"svc-{n}",
        )
    page = page_of(viewer_client, "/incidents?service=svc-1")
    assert '<select name="service">' not in page
    assert '<input type="search" name="service" value="svc-1"' in page
    assert "Outage 1" in page and "Outage 0" not in page and "Outage 2" not in page
