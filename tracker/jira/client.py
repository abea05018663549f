"""Talking to Jira, through the `jira` package only.

Turns the package's many failure modes into exceptions whose messages are safe to show (they
never contain credentials): JiraAuthError and JiraUnavailable stop a run; BatchFailed spoils one
batch only; MissingKeys names tickets that no longer exist.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import requests
from jira import JIRA, JIRAError
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from tracker.jira.settings import JiraSettings

TICKET_FIELDS = ["summary", "status", "resolution", "assignee", "duedate", "fixVersions", "updated"]
MISSING_KEY = re.compile(r"An issue with key '([A-Za-z][A-Za-z0-9_]*-\d+)' does not exist")
NETWORK_ERRORS = (requests.Timeout, requests.ConnectionError)

logger = logging.getLogger(__name__)


class JiraUnavailable(Exception):
    """Jira cannot be used right now; the run must stop."""


class JiraAuthError(JiraUnavailable):
    """Jira refused the credentials (401) or the permission (403)."""


class BatchFailed(Exception):
    """One search could not be read; the other batches may still be fine."""


class MissingKeys(Exception):
    """Jira rejected the JQL because these keys do not exist (any more)."""

    def __init__(self, keys: list[str]):
        super().__init__(", ".join(keys))
        self.keys = keys


def _status_message(error: JIRAError) -> str:
    text = (error.text or "").strip().replace("\n", " ")[:200]
    return f"HTTP {error.status_code}" + (f": {text}" if text else "")


def translate(error: JIRAError) -> Exception:
    """The tracker's exception for a JIRAError, with a message safe to show."""
    status = error.status_code
    if status == 401:
        return JiraAuthError(
            "Jira refused the credentials (HTTP 401): check JIRA_USER and JIRA_TOKEN, or JIRA_PAT."
        )
    if status == 403:
        return JiraAuthError(
            "Jira refused access (HTTP 403): the account lacks permission, or Jira wants a "
            "CAPTCHA after failed logins."
        )
    if status in (429, 503):
        return JiraUnavailable(
            f"Jira is busy or rate-limiting ({_status_message(error)}), still after the allowed "
            "retries."
        )
    if status == 400:
        missing = MISSING_KEY.findall(error.text or "")
        if missing:
            return MissingKeys(sorted({key.upper() for key in missing}))
    return BatchFailed(f"Jira answered {_status_message(error)}.")


@dataclass
class JiraConnection:
    """A connected client plus what the sync needs to know about the server."""

    client: JIRA
    settings: JiraSettings
    deployment: str
    # The constructor's server-info request is the first.
    requests_made: int = 1

    @property
    def is_cloud(self) -> bool:
        return self.deployment == "Cloud"

    def search(self, jql: str, fields: list[str] | None = None) -> list[dict]:
        """Every issue the JQL finds, as raw JSON dicts with `fields` (default TICKET_FIELDS),
        all pages."""
        return [issue for page in self.search_pages(jql, fields) for issue in page]

    def search_pages(self, jql: str, fields: list[str] | None = None) -> Iterator[list[dict]]:
        """The issues the JQL finds, a page (JIRA_BATCH_SIZE issues at most) at a time, each
        read only when the one before it is done with.

        Raises BatchFailed for a page that cannot be read (the pages after it are not read
        either: a page token or offset of a failed read leads nowhere sure).
        """
        wanted = list(fields or TICKET_FIELDS)
        pages = (
            self._cloud_pages(jql, wanted)
            if self.is_cloud
            else self._data_center_pages(jql, wanted)
        )
        while True:
            try:
                page = next(pages)
            except StopIteration:
                return
            except JIRAError as error:
                raise translate(error) from None
            except NETWORK_ERRORS as error:
                raise BatchFailed(f"Jira did not answer ({why_unreachable(error)}).") from None
            except ValueError as error:  # json.JSONDecodeError is a ValueError
                raise BatchFailed(
                    f"Jira answered with something that is not JSON ({error})."
                ) from None
            yield page

    def _data_center_pages(self, jql: str, fields: list[str]) -> Iterator[list[dict]]:
        read = 0
        while True:
            page = self.client.search_issues(
                jql,
                startAt=read,
                maxResults=self.settings.batch_size,
                fields=fields,
                json_result=True,
            )
            batch = _issues_of(page)
            read += len(batch)
            if batch:
                yield batch
            if not batch or read >= page.get("total", 0) or page.get("isLast") is True:
                return

    def _cloud_pages(self, jql: str, fields: list[str]) -> Iterator[list[dict]]:
        token = None
        while True:
            page = self.client.enhanced_search_issues(
                jql,
                nextPageToken=token,
                maxResults=self.settings.batch_size,
                fields=fields,
                json_result=True,
            )
            batch = _issues_of(page)
            if batch:
                yield batch
            token = page.get("nextPageToken")
            if not token or page.get("isLast") is True:
                return

    def epic_link_field(self) -> str | None:
        """Data Center's "Epic Link" custom field (its id, e.g. customfield_10008), found by name
        in the field list; None on Cloud, where an epic's children name it as their parent."""
        if self.is_cloud:
            return None
        try:
            # The package's own name → id map of the field list: read once per connection (the
            # ticket searches have usually read it already), so this costs no extra request.
            field_id = self.client._fields_cache.get("Epic Link")
        except JIRAError as error:
            raise translate(error) from None
        except NETWORK_ERRORS as error:
            raise BatchFailed(f"Jira did not answer ({type(error).__name__}).") from None
        except (ValueError, KeyError, TypeError):
            raise BatchFailed("Jira's field list is not what Jira sends.") from None
        return str(field_id) if field_id else None

    def create_issue(self, summary: str, description: str, labels: list[str]) -> str:
        """Create a ticket in the configured project; return its key."""
        fields = {
            "project": {"key": self.settings.project},
            "issuetype": {"name": self.settings.issue_type},
            "summary": summary,
            "description": description,
            "labels": labels,
        }
        try:
            issue = self.client.create_issue(fields=fields, prefetch=False)
        except JIRAError as error:
            raise JiraUnavailable(
                f"Jira did not create the ticket ({_status_message(error)})."
            ) from None
        except NETWORK_ERRORS as error:
            raise JiraUnavailable(f"Jira did not answer ({type(error).__name__}).") from None
        return issue.key

    def server_summary(self) -> str:
        """The server's title, version and deployment type (one request)."""
        try:
            info = self.client.server_info()
        except JIRAError as error:
            raise translate(error) from None
        return f"{info.get('serverTitle', 'Jira')} {info.get('version', '?')} ({self.deployment})"

    def account(self) -> str:
        """Who the credentials belong to (one request)."""
        try:
            me = self.client.myself()
        except JIRAError as error:
            raise translate(error) from None
        who = me.get("emailAddress") or me.get("name") or me.get("accountId") or "?"
        return f"{me.get('displayName', '?')} <{who}>"


def _issues_of(page: dict) -> list[dict]:
    if not isinstance(page, dict) or not isinstance(page.get("issues"), list):
        raise BatchFailed("Jira's search answer has no issue list.")
    for issue in page["issues"]:
        if not isinstance(issue, dict) or not isinstance(issue.get("fields"), dict):
            raise BatchFailed("Jira's search answer has an issue without fields.")
        if "key" not in issue:
            raise BatchFailed("Jira's search answer has an issue without a key.")
    return page["issues"]


def connect(settings: JiraSettings, report: Callable[[str], None] | None = None) -> JiraConnection:
    """Connect, read the server info (deployment type) and count every request from then on.

    Jira's address not answering at all (connection refused, unknown host) fails at once with
    JiraUnavailable: waiting would not help. Busy answers (429, 503), a dropped connection or
    a connection that times out are retried up to JIRA_MAX_RETRIES times, each retry announced
    through `report` (default: the log) before its wait.
    """
    if settings.pat:
        auth = {"token_auth": settings.pat}
    else:
        auth = {"basic_auth": (settings.user, settings.token)}
    try:
        client = JIRA(
            server=settings.url,
            options={"check_update": False},
            timeout=settings.timeout,
            max_retries=settings.max_retries,
            get_server_info=False,
            **auth,
        )
        retry_quickly_or_not_at_all(client, settings, report or logger.warning)
        info = client.server_info()
        client._version = tuple(info["versionNumbers"])
        client.deploymentType = info.get("deploymentType")
    except JIRAError as error:
        translated = translate(error)
        if isinstance(translated, JiraUnavailable):
            raise translated from None
        raise JiraUnavailable(
            f"Jira at {settings.url} answered {_status_message(error)}."
        ) from None
    except NETWORK_ERRORS as error:
        raise JiraUnavailable(
            f"Jira at {settings.url} cannot be reached ({why_unreachable(error)})."
        ) from None
    except (ValueError, KeyError, TypeError):
        raise JiraUnavailable(
            f"{settings.url} did not answer like Jira (no server info): check JIRA_URL; a login "
            "page may be in the way."
        ) from None
    connection = JiraConnection(client, settings, deployment=client.deploymentType or "Server")

    def count(response, *args, **kwargs):
        connection.requests_made += 1

    client._session.hooks["response"].append(count)
    return connection


def why_unreachable(error: Exception) -> str:
    """A few words on why a request got no answer, the same for every command and page."""
    reason = _connection_failure(error)
    if isinstance(reason, NameResolutionError):
        return "its host name does not resolve"
    if isinstance(reason, NewConnectionError):
        return "the connection was refused or the network is unreachable"
    if isinstance(error, requests.Timeout):
        return "no answer within JIRA_TIMEOUT"
    return type(error).__name__


def _connection_failure(error: Exception) -> Exception | None:
    wrapped = error.args[0] if error.args else None
    return wrapped.reason if isinstance(wrapped, MaxRetryError) else None


def _is_unreachable(error: object) -> bool:
    """Nothing answers at Jira's address at all: retrying would only make people wait."""
    return isinstance(error, requests.ConnectionError) and isinstance(
        _connection_failure(error), NewConnectionError
    )


def retry_quickly_or_not_at_all(client: JIRA, settings: JiraSettings, report) -> None:
    """Make the jira package's session give up at once on an unreachable address, and announce
    each retry it does make (it otherwise waits up to ~90 s in silence before failing)."""
    session = client._session
    session.max_retry_delay = settings.max_retry_delay
    # The package decides in a private method; an instance attribute takes its place.
    decide = session._ResilientSession__recoverable

    def recoverable(response, url, method, counter=1):
        if _is_unreachable(response):
            return False
        what = _worth_retrying(response)
        if what:
            report(f"Jira {what}; retry {counter} of {settings.max_retries}…")
        return decide(response, url, method, counter)

    session._ResilientSession__recoverable = recoverable


def _worth_retrying(response) -> str | None:
    """What went wrong, when the jira package will wait and retry (its rule: a connection
    error, 429, or 503 with Retry-After); None when it will give up."""
    if isinstance(response, requests.ConnectionError):
        return f"did not answer ({why_unreachable(response)})"
    if isinstance(response, requests.Response) and (
        response.status_code == 429
        or (response.status_code == 503 and "Retry-After" in response.headers)
    ):
        return f"answered HTTP {response.status_code}"
    return None


def key_batches(keys: Iterable[str], size: int) -> list[list[str]]:
    """The keys, sorted and without repeats, in lists of at most `size`."""
    ordered = sorted(set(keys))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]
