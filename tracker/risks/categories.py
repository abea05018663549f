"""The configurable list of risk categories."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.accounts import rules
from tracker.extensions import db
from tracker.models import Category, Risk
from tracker.validation import ValidationError


def list_with_usage() -> list[tuple[Category, int]]:
    """Every category in display order with how many risks use it (one query)."""
    rows = db.session.execute(
        sa.select(Category, sa.func.count(Risk.id))
        .outerjoin(Risk, Risk.category_id == Category.id)
        .group_by(Category.id)
        .order_by(Category.position, Category.name)
    )
    return [(category, count) for category, count in rows]


def create_category(slug: str, name: str) -> Category:
    """Add a category at the end of the list."""
    slug = slug.strip().lower()
    errors = {}
    if problem := rules.slug_problem(slug):
        errors["slug"] = problem
    elif db.session.scalar(sa.select(Category.id).where(Category.slug == slug)):
        errors["slug"] = f"A category with the slug {slug} already exists."
    if problem := rules.display_name_problem(name):
        errors["name"] = problem
    if errors:
        raise ValidationError(errors)
    last = db.session.scalar(sa.select(sa.func.max(Category.position))) or 0
    category = Category(slug=slug, name=name.strip(), position=last + 1)
    db.session.add(category)
    db.session.commit()
    return category


def rename_category(category: Category, name: str) -> None:
    """Change the display name; the slug, used in CSV files and the API, stays."""
    if problem := rules.display_name_problem(name):
        raise ValidationError.single("name", problem)
    category.name = name.strip()
    db.session.commit()


def delete_category(category: Category) -> None:
    """Remove a category no risk uses (archived risks count: their history refers to it)."""
    in_use = db.session.scalar(
        sa.select(sa.func.count()).select_from(Risk).where(Risk.category_id == category.id)
    )
    if in_use:
        raise ValidationError.single(
            "category",
            f"{in_use} risk(s) use {category.name}; move them to another category first.",
        )
    db.session.delete(category)
    db.session.commit()
