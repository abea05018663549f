"""Admins keep the list of risk categories."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Category
from tracker.risks import services

DEFAULT_SLUGS = [
    "infrastructure",
    "deploy",
    "dependency",
    "capacity",
    "data",
    "security",
    "process",
]


def slugs() -> list[str]:
    return list(db.session.scalars(sa.select(Category.slug).order_by(Category.position)))


def test_the_default_categories_come_with_the_database(app):
    assert slugs() == DEFAULT_SLUGS


def test_admin_adds_a_category_at_the_end(admin_client):
    response = admin_client.post("/admin/categories", data={"name": "DNS", "slug": "dns"})
    assert response.status_code == 302
    assert slugs() == [*DEFAULT_SLUGS, "dns"]


def test_a_taken_or_bad_slug_is_refused_with_the_input_kept(admin_client):
    response = admin_client.post("/admin/categories", data={"name": "Infra 2", "slug": "deploy"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already exists" in page and 'value="Infra 2"' in page
    response = admin_client.post("/admin/categories", data={"name": "X", "slug": "Bad Slug"})
    assert response.status_code == 400
    assert slugs() == DEFAULT_SLUGS


def test_admin_renames_a_category_keeping_its_slug(admin_client):
    admin_client.post("/admin/categories/deploy/rename", data={"name": "Change management"})
    category = db.session.scalar(sa.select(Category).where(Category.slug == "deploy"))
    assert category.name == "Change management"


def test_a_category_in_use_cannot_be_removed(admin_client, admin, factory):
    factory.team("payments", "Payments")
    services.create_risk(
        {"title": "T", "category": "data", "team": "payments", "likelihood": 1, "impact": 1}, admin
    )
    admin_client.post("/admin/categories/data/delete", data={"confirmed": "yes"})
    assert "data" in slugs()
    admin_client.post("/admin/categories/process/delete", data={"confirmed": "yes"})
    assert "process" not in slugs()


def test_only_admins_manage_categories(manager_client, viewer_client):
    for client in (manager_client, viewer_client):
        assert client.get("/admin/categories").status_code == 403
        assert (
            client.post("/admin/categories", data={"name": "DNS", "slug": "dns"}).status_code == 403
        )
    assert slugs() == DEFAULT_SLUGS
