"""User text in the Markdown exports is inert: no raw HTML, no link to a script."""

from __future__ import annotations

import pytest

from tracker import markdown_text as md
from tracker.extensions import db
from tracker.reviews import services

HOSTILE_TITLE = "<img src=x onerror=alert(1)> | [x](javascript:alert(1))"
HOSTILE_NOTES = (
    "Decided: **ship it**, see [the runbook](https://wiki.example.com/runbook).\n"
    "<script>alert(1)</script>\n"
    "[click](javascript:alert(document.cookie)) and [data](DATA:text/html;base64,PHNjcmlwdD4=)\n"
    "<javascript:alert(1)>\n"
    "[ref]: vbscript:msgbox(1)\n"
    "&#106;avascript:alert(1)"
)


def test_the_review_export_escapes_titles_team_names_and_notes(
    admin, viewer_client, factory, payments
):
    payments.name = "Pay<b>ments</b>"
    factory.risk(team=payments, title=HOSTILE_TITLE)
    review = services.start_review(admin)
    services.save_notes(review, admin, HOSTILE_NOTES)
    db.session.commit()

    text = viewer_client.get(f"/reviews/{review.id}.md").get_data(as_text=True)

    assert "<img" not in text and "<script>" not in text and "<b>" not in text
    assert "<javascript:" not in text and "&#106;" not in text
    assert "[x](javascript:" not in text and "[click](javascript:" not in text
    assert "[data](DATA:" not in text and "[ref]: vbscript" not in text
    # What a person meant as Markdown survives.
    assert "**ship it**" in text
    assert "[the runbook](https://wiki.example.com/runbook)" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[a](http://x.example)", "[a](http://x.example)"),
        ("[a](/risks/RISK-1)", "[a](/risks/RISK-1)"),
        ("[a](#top)", "[a](#top)"),
        ("[a](mailto:sre@example.com)", "[a](mailto:sre@example.com)"),
        ("[a](JavaScript:alert(1))", "\\[a\\](JavaScript:alert(1))"),
        ("[a]( javascript:alert(1))", "\\[a\\](javascript:alert(1))"),
        ("[a]: data:text/html,x", "\\[a\\]: data:text/html,x"),
        ("a & b < c", "a &amp; b &lt; c"),
    ],
)
def test_block_keeps_web_links_and_defuses_every_other_kind(text, expected):
    assert md.block(text) == expected


def test_inline_and_cell_leave_no_markup_and_one_line():
    assert md.inline("two\nlines [x](y) <b>") == "two lines \\[x\\](y) &lt;b&gt;"
    assert md.cell("a | b") == "a \\| b"
