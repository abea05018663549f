"""The local Jira test server, driven by the real `jira` package as the tracker will drive it.

What the package (3.10.5) does with each fault, as these tests pin it:
- 401/403/404/400/410/500/502: ResilientSession does not retry; raises JIRAError(status_code).
- 429 and 503: retried up to max_retries (3) after time.sleep(2 × Retry-After × jitter 0.5–1,
  at most 60 s); without Retry-After a 429 waits 10 × 2^attempt s (× jitter).
- A dropped connection: requests.exceptions.ConnectionError, retried like a 429 without
  Retry-After (10 × 2^attempt s), then re-raised.
- A slow answer past the client's timeout: requests.exceptions.ReadTimeout, not retried.
- A 200 that is not JSON (an SSO login page): requests.exceptions.JSONDecodeError, a
  ValueError, not a JIRAError (`_get_json` logs the body and re-raises).
- A 200 JSON page without "issues": KeyError from `_get_items_from_page` (json_result=True
  hands the dict back unchecked).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
import requests
from jira import JIRA, JIRAError

from tests.jira_server import CLOUD, DATA_CENTER, DEFAULT_TOKEN, DEFAULT_USER, FakeJira

SEARCH = "/rest/api/2/search"
SEARCH_JQL = "/rest/api/2/search/jql"


@pytest.fixture
def dc():
    with FakeJira(DATA_CENTER, max_results=3) as fake:
        yield fake


@pytest.fixture
def cloud():
    with FakeJira(CLOUD, max_results=3) as fake:
        yield fake


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """The delays ResilientSession asks for between retries; nobody really sleeps."""
    delays: list[float] = []
    monkeypatch.setattr("jira.resilientsession.time.sleep", delays.append)
    return delays


def connect(fake: FakeJira, **options) -> JIRA:
    """A client as the tracker builds one: basic auth, server info read on construction."""
    options.setdefault("basic_auth", (DEFAULT_USER, DEFAULT_TOKEN))
    options.setdefault("get_server_info", True)
    return JIRA(server=fake.url, **options)


def add_tickets(fake: FakeJira, count: int, project: str = "OPS") -> str:
    """Add OPS-1..OPS-count; return `key in (...)` naming them all."""
    for number in range(1, count + 1):
        fake.add_ticket(f"{project}-{number}", summary=f"Ticket {number}")
    return "key in (" + ", ".join(f"{project}-{n}" for n in range(1, count + 1)) + ")"


def test_data_center_is_detected_from_server_info(dc):
    client = connect(dc)

    assert not client._is_cloud
    assert client.server_info()["deploymentType"] == "Server"
    assert client.server_info()["versionNumbers"] == [9, 12, 0]
    assert client.myself()["name"] == DEFAULT_USER


def test_cloud_is_detected_and_myself_has_an_account_id(cloud):
    client = connect(cloud)

    assert client._is_cloud
    assert client.server_info()["deploymentType"] == "Cloud"
    me = client.myself()
    assert me["accountId"] and me["emailAddress"] == DEFAULT_USER
    assert "name" not in me


def test_personal_access_token_is_sent_as_bearer_and_never_recorded():
    with FakeJira(DATA_CENTER, basic_auth=None, token="pat-secret") as fake:
        connect(fake, basic_auth=None, token_auth="pat-secret").myself()

        assert {r.auth_scheme for r in fake.requests} == {"Bearer"}
        assert "pat-secret" not in repr(fake.requests)


def test_basic_credentials_never_appear_in_the_request_log(dc):
    client = connect(dc)
    client.search_issues(add_tickets(dc, 2))

    encoded = base64.b64encode(f"{DEFAULT_USER}:{DEFAULT_TOKEN}".encode()).decode()
    log = repr(dc.requests)
    assert DEFAULT_TOKEN not in log and encoded not in log
    assert all(r.headers["Authorization"] == "<redacted>" for r in dc.requests)


@pytest.mark.parametrize("deployment", [DATA_CENTER, CLOUD])
def test_wrong_credentials_raise_401(deployment):
    with FakeJira(deployment) as fake, pytest.raises(JIRAError) as error:
        connect(fake, basic_auth=(DEFAULT_USER, "wrong"))

    assert error.value.status_code == 401
    seraph = error.value.response.headers.get("X-Seraph-LoginReason")
    assert seraph == (None if deployment == CLOUD else "AUTHENTICATED_FAILED")


def test_forbidden_switch_raises_403(dc):
    client = connect(dc)
    dc.forbidden = True

    with pytest.raises(JIRAError) as error:
        client.myself()
    assert error.value.status_code == 403


def test_data_center_search_pages_by_start_at_under_the_server_cap(dc):
    jql = add_tickets(dc, 7) + " ORDER BY key"
    client = connect(dc)

    issues = client.search_issues(jql, maxResults=False)

    assert [issue.key for issue in issues] == [f"OPS-{n}" for n in range(1, 8)]
    assert [r.param("startAt") for r in dc.search_requests()] == ["0", "3", "6"]


def test_data_center_json_result_is_one_capped_page_with_total(dc):
    client = connect(dc)

    page = client.search_issues(add_tickets(dc, 7), maxResults=50, json_result=True)

    assert (page["startAt"], page["maxResults"], page["total"]) == (0, 3, 7)
    assert len(page["issues"]) == 3


def test_data_center_search_can_use_post(dc):
    client = connect(dc)

    issues = client.search_issues(add_tickets(dc, 2), use_post=True)

    assert len(issues) == 2
    assert dc.search_requests()[0].method == "POST"


def test_cloud_enhanced_search_pages_by_next_page_token(cloud):
    jql = add_tickets(cloud, 7) + " ORDER BY key"
    client = connect(cloud)

    issues = client.enhanced_search_issues(jql, maxResults=0)

    assert [issue.key for issue in issues] == [f"OPS-{n}" for n in range(1, 8)]
    tokens = [r.param("nextPageToken") for r in cloud.search_requests()]
    assert tokens[0] is None and all(tokens[1:]) and len(tokens) == 3


def test_cloud_page_has_no_total_and_the_last_page_no_token(cloud):
    client = connect(cloud)
    jql = add_tickets(cloud, 4)

    first = client.enhanced_search_issues(jql, maxResults=3, json_result=True)
    last = client.enhanced_search_issues(
        jql, nextPageToken=first["nextPageToken"], maxResults=3, json_result=True
    )

    assert "total" not in first and first["isLast"] is False
    assert "nextPageToken" not in last and last["isLast"] is True
    assert len(first["issues"]) + len(last["issues"]) == 4


def test_search_issues_on_cloud_goes_to_search_jql(cloud):
    client = connect(cloud)

    client.search_issues(add_tickets(cloud, 1))

    assert [r.path for r in cloud.search_requests()] == [SEARCH_JQL]


def test_old_search_endpoint_is_gone_on_cloud(cloud):
    # Without server info the package does not know it is Cloud and uses /search.
    client = connect(cloud, get_server_info=False)

    with pytest.raises(JIRAError) as error:
        client.search_issues(add_tickets(cloud, 1))
    assert error.value.status_code == 410
    assert "search/jql" in error.value.text


@pytest.mark.parametrize("deployment", [DATA_CENTER, CLOUD])
def test_a_missing_key_is_a_400_naming_the_key(deployment):
    with FakeJira(deployment) as fake:
        fake.add_ticket("OPS-1")
        fake.add_ticket("OPS-2")
        fake.delete_ticket("OPS-2")
        client = connect(fake)

        with pytest.raises(JIRAError) as error:
            client.search_issues("key in (OPS-1, OPS-2, OPS-9)")

    assert error.value.status_code == 400
    assert error.value.text == (
        "An issue with key 'OPS-2' does not exist for field 'key'., "
        "An issue with key 'OPS-9' does not exist for field 'key'."
    )


def test_without_validation_data_center_skips_missing_keys(dc):
    dc.add_ticket("OPS-1")
    client = connect(dc)

    page = client.search_issues("key in (OPS-1, OPS-9)", validate_query=False, json_result=True)

    assert [issue["key"] for issue in page["issues"]] == ["OPS-1"]
    assert page["warningMessages"]


def test_hidden_tickets_are_absent_from_search_and_404_when_fetched(dc):
    jql = add_tickets(dc, 2)
    dc.set_hidden("OPS-2")
    client = connect(dc)

    assert [issue.key for issue in client.search_issues(jql)] == ["OPS-1"]
    with pytest.raises(JIRAError) as error:
        client.issue("OPS-2")
    assert error.value.status_code == 404


def test_only_the_requested_fields_are_returned(dc):
    dc.add_ticket("OPS-1", fix_versions=["2026.3"], assignee="Ana Ops", duedate="2026-04-01")
    client = connect(dc)

    issue = client.search_issues("key = OPS-1", fields="summary,fixVersion,duedate")[0]

    assert set(issue.raw["fields"]) == {"summary", "fixVersions", "duedate", "fixVersion"}
    assert issue.fields.fixVersions[0].name == "2026.3"
    assert issue.fields.duedate == "2026-04-01"


def test_statuses_come_with_a_category_without_one_or_not_at_all(cloud):
    cloud.add_ticket("OPS-1", status_name="Done", status_category="done", resolution="Fixed")
    cloud.add_ticket("OPS-2", status_name="Open", status_category=None)
    cloud.add_ticket("OPS-3", status_name=None)
    client = connect(cloud)

    issues = client.search_issues("key in (OPS-1, OPS-2, OPS-3) ORDER BY key")

    done, open_, no_status = (issue.raw["fields"] for issue in issues)
    assert done["status"]["statusCategory"]["key"] == "done"
    assert done["resolution"]["name"] == "Fixed"
    assert "statusCategory" not in open_["status"]
    assert "status" not in no_status


def test_recently_updated_filter_uses_the_server_clock(dc):
    dc.add_ticket("OPS-1", updated="2026-03-02T08:00:00.000+0000")
    dc.add_ticket("OPS-2", updated="2026-03-02T06:00:00.000+0000")
    dc.clock = lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    client = connect(dc)

    issues = client.search_issues("key in (OPS-1, OPS-2) AND updated >= -90m")

    assert [issue.key for issue in issues] == ["OPS-1"]


def test_parentheses_group_clauses_before_and(dc):
    dc.add_ticket("INC-1", labels=["outage"], updated="2026-03-02T08:00:00.000+0000")
    dc.add_ticket("OPS-1", labels=["outage"], updated="2026-03-02T08:00:00.000+0000")
    dc.add_ticket("OPS-2", updated="2026-03-02T08:00:00.000+0000")
    dc.add_ticket("INC-2", updated="2026-03-01T06:00:00.000+0000")
    dc.clock = lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    client = connect(dc)

    jql = "(project = INC OR labels = outage) AND updated >= -90m ORDER BY key"
    issues = client.search_issues(jql)

    assert [issue.key for issue in issues] == ["INC-1", "OPS-1"]


def test_or_groups_find_tickets_by_key_parent_epic_link_or_any_other_field(dc):
    dc.add_ticket("OPS-1")
    dc.add_ticket("OPS-2", parent="OPS-9")
    dc.add_ticket("OPS-3", epic="OPS-9")
    dc.add_ticket("OPS-4", labels=["outage"])
    dc.add_ticket("OPS-5", parent="ops-9", hidden=True)
    client = connect(dc)

    def keys(jql: str) -> list[str]:
        return [issue.key for issue in client.search_issues(jql)]

    assert keys("cf[10008] in (OPS-9) OR parent in (ops-9) ORDER BY key") == ["OPS-2", "OPS-3"]
    assert keys("key in (ops-1) OR parent = OPS-9 ORDER BY key") == ["OPS-1", "OPS-2"]
    assert keys("key = OPS-1 OR labels = outage ORDER BY key") == ["OPS-1", "OPS-4"]


def test_an_incident_issue_has_its_created_resolved_priority_and_custom_fields(dc):
    dc.add_ticket(
        "INC-1",
        created="2026-03-01T10:00:00.000+0000",
        resolution="Done",
        resolutiondate="2026-03-01T11:00:00.000+0000",
        priority="Highest",
        custom={"customfield_10100": "2026-03-01T09:55:00.000+0000"},
    )
    client = connect(dc)

    [issue] = client.search_issues("project = INC", json_result=True)["issues"]

    fields = issue["fields"]
    assert fields["created"] == "2026-03-01T10:00:00.000+0000"
    assert fields["resolutiondate"] == "2026-03-01T11:00:00.000+0000"
    assert fields["priority"]["name"] == "Highest"
    assert fields["customfield_10100"] == "2026-03-01T09:55:00.000+0000"


def test_jql_the_server_does_not_understand_is_a_400(dc):
    client = connect(dc)

    with pytest.raises(JIRAError) as error:
        client.search_issues("summary ~ disk")
    assert error.value.status_code == 400
    assert "FakeJira does not support the field 'summary'" in error.value.text


def test_created_issue_gets_the_next_key_and_is_found_by_label(dc):
    dc.add_ticket("OPS-4")
    client = connect(dc)

    issue = client.create_issue(
        project={"key": "OPS"},
        summary="Mitigate disk exhaustion",
        description="From the risk tracker",
        issuetype={"name": "Task"},
        labels=["risk-17"],
    )

    assert issue.key == "OPS-5"
    assert issue.fields.status.statusCategory.key == "new"
    found = client.search_issues("labels = risk-17")
    assert [i.key for i in found] == ["OPS-5"]
    assert [r.method for r in dc.requests_to("/rest/api/2/issue")] == ["POST", "GET"]


def test_create_without_summary_is_a_400_with_field_errors(dc):
    client = connect(dc)

    with pytest.raises(JIRAError) as error:
        client.create_issue(project={"key": "OPS"}, summary="", issuetype={"name": "Task"})
    assert error.value.status_code == 400
    assert "summary" in error.value.text


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_is_retried_after_retry_after(dc, sleeps, status):
    jql = add_tickets(dc, 1)
    client = connect(dc)
    dc.fail(SEARCH, status, headers={"Retry-After": "3"})

    issues = client.search_issues(jql)

    assert [issue.key for issue in issues] == ["OPS-1"]
    assert len(dc.search_requests()) == 2
    assert len(sleeps) == 1 and 3 <= sleeps[0] <= 6
    assert not dc.pending_faults


def test_server_errors_are_not_retried(dc, sleeps):
    client = connect(dc)
    dc.fail(SEARCH, 502)

    with pytest.raises(JIRAError) as error:
        client.search_issues(add_tickets(dc, 1))
    assert error.value.status_code == 502
    assert sleeps == []


def test_faults_apply_only_to_their_path_in_order(dc):
    jql = add_tickets(dc, 1)
    client = connect(dc)
    dc.fail(SEARCH, 500)
    dc.fail(SEARCH, 401)

    assert client.myself()["name"] == DEFAULT_USER
    statuses = []
    for _ in range(3):
        try:
            client.search_issues(jql)
            statuses.append(200)
        except JIRAError as error:
            statuses.append(error.status_code)
    assert statuses == [500, 401, 200]


def test_an_html_login_page_raises_json_decode_error(dc):
    client = connect(dc)
    dc.fail_html(SEARCH)

    with pytest.raises(requests.exceptions.JSONDecodeError):
        client.search_issues(add_tickets(dc, 1))


def test_a_page_without_issues_raises_key_error(dc):
    client = connect(dc)
    dc.fail(SEARCH, 200, body={"startAt": 0, "maxResults": 50, "total": 1})

    with pytest.raises(KeyError, match="issues"):
        client.search_issues(add_tickets(dc, 1))


def test_a_slow_answer_trips_the_client_timeout(dc):
    client = connect(dc, timeout=0.5)
    dc.fail_slow(SEARCH, 1.5)

    with pytest.raises(requests.exceptions.ReadTimeout):
        client.search_issues(add_tickets(dc, 1))


def test_a_dropped_connection_is_retried_then_raises_connection_error(dc, sleeps):
    client = connect(dc)
    dc.fail_drop(SEARCH, times=4)

    with pytest.raises(requests.exceptions.ConnectionError):
        client.search_issues(add_tickets(dc, 1))
    assert len(dc.search_requests()) == 4
    assert len(sleeps) == 3


def test_server_stops_and_frees_its_port():
    fake = FakeJira(DATA_CENTER).start()
    url = fake.url
    fake.stop()
    fake.stop()

    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/rest/api/2/serverInfo", timeout=1)
    assert fake.server_errors == []
