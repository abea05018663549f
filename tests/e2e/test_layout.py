"""The wide pages fit a 1280 px laptop and a 390 px phone: no table is wider than its
container, and on a phone each cell's label has its own space beside its value.

Screenshots of each page and size go to LAYOUT_SCREENSHOTS (or a temporary folder), to be
looked at whenever the layout changes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import sign_in
from tests.populated import populate

pytestmark = [pytest.mark.browser, pytest.mark.app_config(WTF_CSRF_ENABLED=True)]

SIZES = {"laptop": (1280, 800), "phone": (390, 844)}

# Each table against the box it must fit: its scrolling wrapper, else its parent.
TABLE_OVERFLOWS = """() => [...document.querySelectorAll("main table")]
  .filter((table) => table.offsetParent !== null)
  .map((table) => {
    const box = table.closest(".table-wrap") || table.parentElement;
    return {table: table.className || table.getAttribute("aria-label") || "table",
            wide: box.scrollWidth, room: box.clientWidth};
  })
  .filter((t) => t.wide > t.room + 1)"""

# On a phone a cell's label (its ::before) must end before its value starts.
CRAMPED_LABELS = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll("main td[data-label]")]
    .filter((td) => td.offsetParent !== null && td.textContent.trim())
    .map((td) => {
      const label = getComputedStyle(td, "::before");
      canvas.font = `${label.fontWeight} ${label.fontSize} ${label.fontFamily}`;
      const cell = td.getBoundingClientRect();
      const start = label.position === "absolute"
        ? cell.left + parseFloat(label.left)
        : cell.left + parseFloat(getComputedStyle(td).paddingLeft);
      // A label with a set width wraps inside it; one without runs as long as its text.
      const labelWidth = canvas.measureText(td.dataset.label).width;
      const boxed = parseFloat(label.width);
      const labelEnd = start + (boxed ? Math.min(boxed, labelWidth) : labelWidth);
      const range = document.createRange();
      range.selectNodeContents(td);
      const first = [...range.getClientRects()].find((r) => r.width > 0);
      return {label: td.dataset.label, text: td.textContent.trim().slice(0, 30),
              gap: first ? first.left - labelEnd : 99};
    })
    .filter((c) => c.gap < 6);
}"""


def save_screenshots(page, stem: Path, width: int, part_height: int = 1400) -> None:
    """The whole page, and the page in parts short enough to read at full size."""
    page.screenshot(path=f"{stem}.png", full_page=True)
    total = page.evaluate("document.documentElement.scrollHeight")
    for number, top in enumerate(range(0, total, part_height), start=1):
        clip = {"x": 0, "y": top, "width": width, "height": min(part_height, total - top)}
        page.screenshot(path=f"{stem}-part{number}.png", clip=clip, full_page=True)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = os.environ.get("LAYOUT_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("layout")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def register(factory, clock):
    return populate(factory, clock)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["register", "dashboard", "risk", "my-teams", "review"])
def test_wide_pages_fit(page, register, screenshots, size, name):
    urls = {
        "register": "/risks",
        "dashboard": "/",
        "risk": f"/risks/{register.risks[0].key}",
        "my-teams": "/my-teams",
        "review": f"/reviews/{register.finished_review.id}",
    }
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, register.admin.email)
    page.goto(urls[name])
    save_screenshots(page, screenshots / f"{name}-{width}x{height}", width)

    assert page.evaluate(TABLE_OVERFLOWS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if size == "phone":
        assert page.evaluate(CRAMPED_LABELS) == []


def test_the_register_title_column_keeps_titles_short(page, register):
    """At 1280 px a long title wraps to at most three lines."""
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, register.admin.email)
    page.goto("/risks")
    title = page.get_by_role("link", name=register.risks[0].title, exact=True)
    box = title.bounding_box()
    line = page.evaluate(
        "(el) => parseFloat(getComputedStyle(el).lineHeight)", title.element_handle()
    )
    assert box["height"] <= 3 * line + 1
