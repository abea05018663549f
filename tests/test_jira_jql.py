"""Every value put into JQL is checked or quoted (tracker/jira/jql.py)."""

import pytest

from tracker.jira import jql
from tracker.jira.epics import children_jql
from tracker.jira.sync import _jql as sync_jql


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("risktracker-0123", '"risktracker-0123"'),
        ('a" OR project = SECRET', '"a\\" OR project = SECRET"'),
        ("back\\slash", '"back\\\\slash"'),
        ("", '""'),
    ],
)
def test_quote_writes_a_string_literal_no_value_can_leave(value, literal):
    assert jql.quote(value) == literal


@pytest.mark.parametrize("value", ["two\nlines", "carriage\r", "nul\x00"])
def test_quote_refuses_what_no_jql_string_may_hold(value):
    with pytest.raises(ValueError, match="line break or a NUL"):
        jql.quote(value)


def test_issue_keys_lists_keys_shaped_as_jira_issues_them():
    assert jql.issue_keys(["OPS-1", "AB_2-30"]) == "(OPS-1, AB_2-30)"


@pytest.mark.parametrize(
    "keys",
    [["OPS-1) OR project = SECRET OR key in (OPS-1"], ["ops-1"], ["OPS-01"], ["OPS-1 "], []],
)
def test_issue_keys_refuses_anything_else(keys):
    with pytest.raises(ValueError):
        jql.issue_keys(keys)


def test_custom_field_names_the_field_by_number_or_refuses_it():
    assert jql.custom_field("customfield_10008") == "cf[10008]"
    with pytest.raises(ValueError):
        jql.custom_field("customfield_1] OR project = SECRET")


def test_the_sync_search_carries_only_checked_keys():
    assert sync_jql(["OPS-1", "OPS-2"], 90) == (
        "key in (OPS-1, OPS-2) AND updated >= -90m ORDER BY key"
    )
    with pytest.raises(ValueError):
        sync_jql(["OPS-1) OR (project = SECRET"], None)


def test_the_epic_children_search_uses_the_custom_field_only_when_it_is_one():
    assert children_jql(["EP-1"], "customfield_10008") == (
        "cf[10008] in (EP-1) OR parent in (EP-1) ORDER BY key"
    )
    assert children_jql(["EP-1"], "Epic Link) OR (x") == "parent in (EP-1) ORDER BY key"
