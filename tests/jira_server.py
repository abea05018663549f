"""A local Jira test server that speaks enough of the REST protocol for the `jira` package.

`FakeJira` runs an HTTP server on 127.0.0.1 (an ephemeral port, a daemon thread) and answers
the calls the `jira` package (pycontribs) makes: serverInfo, myself, field, search (Data Center,
paged by startAt), search/jql (Cloud, paged by nextPageToken), issue create and get. Its
responses are built from the real payloads in ../shared/jira-samples, so tickets look like
what Jira sends; tests set the tickets, inject faults and read back every request made.

    with FakeJira("DataCenter", basic_auth=("bot", "secret")) as fake:
        fake.add_ticket("OPS-1", summary="Disk alerts", status_name="In Progress",
                        status_category="indeterminate")
        client = JIRA(server=fake.url, basic_auth=("bot", "secret"))
        client.search_issues("key in (OPS-1)")

Nothing here sleeps unless a test injects a slow fault, and every wait ends when the server
stops.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
import threading
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

DEFAULT_SAMPLES_DIR = Path(__file__).resolve().parents[2] / "shared" / "jira-samples"
DEFAULT_USER = "tracker-bot@example.com"
DEFAULT_TOKEN = "test-api-token"

CLOUD = "Cloud"
DATA_CENTER = "DataCenter"
REDACTED = "<redacted>"
MAX_FAULT_DELAY = 5.0  # seconds; a slow fault longer than this would only slow the suite
MAX_STORED_PAGE_TOKENS = 1000

JIRA_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"
KEY_PATTERN = re.compile(r"^([A-Z][A-Z0-9_]*)-([1-9][0-9]*)$")
SAMPLE_BASE_URLS = (
    "http://localhost:2990/jira",
    "https://example.atlassian.net",
    "https://demo.atlassian.net",
)

# Status categories as Jira defines them: key -> (id, colorName, name).
STATUS_CATEGORIES = {
    "new": (2, "blue-gray", "To Do"),
    "indeterminate": (4, "yellow", "In Progress"),
    "done": (3, "green", "Done"),
}
ISSUE_TYPES = {"Task": "10001", "Bug": "10002", "Story": "10003"}

# System fields as GET /rest/api/2/field lists them; the package maps clauseNames to ids.
FIELD_DEFINITIONS = [
    ("summary", "Summary", ["summary"], "string"),
    ("description", "Description", ["description"], "string"),
    ("status", "Status", ["status"], "status"),
    ("resolution", "Resolution", ["resolution"], "resolution"),
    ("assignee", "Assignee", ["assignee"], "user"),
    ("duedate", "Due date", ["due", "duedate"], "date"),
    ("fixVersions", "Fix versions", ["fixVersion"], "array"),
    ("updated", "Updated", ["updated", "updatedDate"], "datetime"),
    ("labels", "Labels", ["labels"], "array"),
    ("project", "Project", ["project"], "project"),
    ("issuetype", "Issue Type", ["issuetype", "type"], "issuetype"),
    ("parent", "Parent", ["parent"], "issuelink"),
    ("created", "Created", ["created", "createdDate"], "datetime"),
    ("resolutiondate", "Resolved", ["resolved", "resolutiondate"], "datetime"),
    ("priority", "Priority", ["priority"], "priority"),
]
# Data Center keeps an epic's children in this custom field (Cloud uses `parent` for both).
EPIC_LINK_FIELD = ("customfield_10008", "Epic Link", ["cf[10008]", "Epic Link"], "any")

AUTH_FAILED_MESSAGE = (
    "You are not authenticated. Authentication required to perform this operation."
)
FORBIDDEN_MESSAGE = "You do not have the permission to see the specified issue."
ISSUE_NOT_FOUND_MESSAGE = "Issue does not exist or you do not have permission to see it."
# What Jira Cloud answers on the search endpoints Atlassian removed (CHANGE-2046).
SEARCH_REMOVED_MESSAGE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
SSO_LOGIN_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Log in - Single Sign-On</title></head>"
    '<body><form id="login-form" method="post" action="/login.jsp">'
    '<input name="os_username"><input name="os_password" type="password">'
    "<button>Log in</button></form></body></html>"
)


def samples_dir() -> Path:
    """Return the folder of real Jira payloads, or skip the calling test when it is absent.

    JIRA_SAMPLES_DIR overrides the default, ../shared/jira-samples next to the repository.
    """
    path = Path(os.environ.get("JIRA_SAMPLES_DIR") or DEFAULT_SAMPLES_DIR)
    if not path.is_dir():
        pytest.skip(f"Jira samples not found at {path}")
    return path


def jira_time(moment: datetime) -> str:
    """Format an aware datetime the way Jira writes `updated`: 2026-03-01T10:00:00.000+0000."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def parse_jira_time(text: str) -> datetime:
    """Parse a Jira timestamp such as 2026-03-01T10:00:00.000+0000."""
    return datetime.strptime(text, JIRA_TIME_FORMAT)


def key_order(key: str) -> tuple[str, int]:
    """Sort keys as Jira does: by project, then by number (OPS-2 before OPS-10)."""
    project, _, number = key.partition("-")
    return project, int(number)


# --------------------------------------------------------------------------------------------
# Test data: tickets, faults, recorded requests


@dataclass
class Ticket:
    """One issue as a test describes it; FakeJira renders it into Jira's JSON.

    status_name None leaves `status` out of the issue entirely (as in Atlassian's Cloud
    example); status_category None serves a status without `statusCategory` (as old Data
    Center payloads do). hidden means the caller may not browse it.
    """

    key: str
    summary: str = "A ticket"
    status_name: str | None = "To Do"
    status_category: str | None = "new"
    resolution: str | None = None
    assignee: str | None = None
    duedate: str | None = None
    fix_versions: list[str] = field(default_factory=list)
    updated: str = ""
    labels: list[str] = field(default_factory=list)
    hidden: bool = False
    description: str | None = None
    issue_type: str = "Task"
    id: str = ""
    # The parent issue's key (a sub-task's parent, or on Cloud an epic's child's epic).
    parent: str | None = None
    # Data Center: the key in the child's "Epic Link" field.
    epic: str | None = None
    # When the issue was made (default: when it was added); its priority's name (None keeps
    # the sample's); when it was resolved (default: `updated` once it has a resolution).
    created: str = ""
    priority: str | None = None
    resolutiondate: str | None = None
    # Custom fields by id (customfield_10100 → a value as Jira sends it).
    custom: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not KEY_PATTERN.match(self.key):
            raise ValueError(f"not a Jira issue key: {self.key!r}")
        if self.status_category not in (*STATUS_CATEGORIES, None):
            raise ValueError(f"unknown status category: {self.status_category!r}")
        if self.duedate is not None:
            datetime.strptime(self.duedate, "%Y-%m-%d")  # raises ValueError when malformed
        if self.updated:
            parse_jira_time(self.updated)
        if self.created:
            parse_jira_time(self.created)

    @property
    def project(self) -> str:
        return self.key.partition("-")[0]


@dataclass
class Fault:
    """A response a test forces onto the next `times` requests whose path starts with a prefix.

    status None answers normally (after `delay`); drop closes the socket without answering.
    """

    path_prefix: str
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    delay: float = 0.0
    drop: bool = False
    method: str | None = None
    times: int = 1

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path_prefix) and self.method in (None, method)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it, with credentials replaced by "<redacted>"."""

    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    headers: dict[str, str]
    auth_scheme: str | None

    def param(self, name: str) -> Any:
        """The value of a query parameter, or of the JSON body's key for a POST."""
        if isinstance(self.json, dict) and name in self.json:
            return self.json[name]
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Reply:
    """What the HTTP handler writes back (or, with drop, does not)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    """A JSON response the way Jira sends it."""
    body = json.dumps(payload).encode()
    return Reply(
        status, body, {"Content-Type": "application/json;charset=UTF-8", **(headers or {})}
    )


def status_phrase(status: int) -> str:
    """The reason phrase of an HTTP status ("Too Many Requests"), or "" for an odd one."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def error_reply(
    status: int,
    messages: Iterable[str] = (),
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """Jira's error body: {"errorMessages": [...], "errors": {...}}."""
    payload = {"errorMessages": list(messages), "errors": errors or {}}
    return json_reply(status, payload, headers)


# --------------------------------------------------------------------------------------------
# The JQL the tracker sends: clauses joined by AND and OR, in parentheses or not, then an
# optional ORDER BY.


class JqlError(Exception):
    """The query cannot be run; `messages` are what Jira would put in errorMessages."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = list(messages)


@dataclass(frozen=True)
class Clause:
    field: str
    operator: str
    values: tuple[str, ...]

    @cached_property
    def wanted(self) -> frozenset[str]:
        """The values lower-cased, computed once per query rather than once per ticket."""
        return frozenset(value.lower() for value in self.values)


@dataclass(frozen=True)
class Query:
    """Clauses joined by AND, in groups joined by OR (parentheses multiplied out)."""

    groups: tuple[tuple[Clause, ...], ...]
    order: tuple[tuple[str, bool], ...]  # (field, descending)

    @property
    def clauses(self) -> tuple[Clause, ...]:
        return tuple(clause for group in self.groups for clause in group)


JQL_TOKEN = re.compile(
    r"""\s*(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>(?:[^'\\]|\\.)*)'"""
    r"""|(?P<op>>=|<=|!=|=|>|<|~|\(|\)|,)|(?P<word>[^\s=<>!~(),"']+))"""
)
JQL_FIELDS = {
    "key": "key",
    "issuekey": "key",
    "issue": "key",
    "project": "project",
    "labels": "labels",
    "status": "status",
    "updated": "updated",
    "updateddate": "updated",
    "parent": "parent",
    "cf[10008]": "epic",
    "epic link": "epic",
}
# Fields whose `=` / `in` clauses pick tickets without looking at every ticket.
INDEXED_FIELDS = frozenset({"key", "parent", "epic"})
JQL_OPERATORS = {
    "key": {"=", "in"},
    "project": {"=", "in"},
    "labels": {"=", "in"},
    "status": {"=", "in"},
    "updated": {">=", ">", "<=", "<"},
    "parent": {"=", "in"},
    "epic": {"=", "in"},
}


def tokenize_jql(jql: str) -> list[tuple[str, str]]:
    """Split JQL into (kind, text) tokens; kind is "value" for quoted strings."""
    tokens, position = [], 0
    while position < len(jql.rstrip()):
        match = JQL_TOKEN.match(jql, position)
        if not match:
            raise JqlError(
                f"Error in the JQL Query: cannot read the query at character {position}."
            )
        position = match.end()
        if match.group("dq") is not None or match.group("sq") is not None:
            tokens.append(("value", match.group("dq") or match.group("sq") or ""))
        elif match.group("op"):
            tokens.append(("op", match.group("op")))
        else:
            tokens.append(("word", match.group("word")))
    return tokens


class JqlParser:
    """A recursive-descent reader for `a = b AND c in (d, e) ORDER BY key DESC`."""

    def __init__(self, jql: str):
        self.tokens = tokenize_jql(jql)
        self.position = 0

    def parse(self) -> Query:
        empty = self._at_word("order") or self._done()
        groups = [()] if empty else self._disjunction()
        order = self._order_by() if self._at_word("order") else ()
        if not self._done():
            word = self.tokens[self.position][1]
            raise JqlError(f"Error in the JQL Query: FakeJira does not support {word!r} here.")
        return Query(tuple(groups), order)

    # Parentheses are multiplied out, so a Query stays clauses joined by AND in groups joined
    # by OR: (a OR b) AND c is (a AND c) OR (b AND c).

    def _disjunction(self) -> list[tuple[Clause, ...]]:
        groups = self._conjunction()
        while self._at_word("or"):
            self.position += 1
            groups += self._conjunction()
        return groups

    def _conjunction(self) -> list[tuple[Clause, ...]]:
        groups = self._term()
        while self._at_word("and"):
            self.position += 1
            right = self._term()
            groups = [left + more for left in groups for more in right]
        return groups

    def _term(self) -> list[tuple[Clause, ...]]:
        if self._at_op("("):
            self.position += 1
            groups = self._disjunction()
            self._expect(")")
            return groups
        return [(self._clause(),)]

    def _clause(self) -> Clause:
        name = self._next("a field name").lower()
        if name not in JQL_FIELDS:
            # Jira may well know the field; the failure tells a test author what to add here.
            raise JqlError(f"Error in the JQL Query: FakeJira does not support the field '{name}'.")
        canonical = JQL_FIELDS[name]
        operator = self._next("an operator").lower()
        if operator not in JQL_OPERATORS[canonical]:
            raise JqlError(f"Error in the JQL Query: FakeJira does not support {name} {operator}.")
        values = self._list() if operator == "in" else (self._next("a value"),)
        return Clause(canonical, operator, values)

    def _list(self) -> tuple[str, ...]:
        self._expect("(")
        values = [self._next("a value")]
        while self._at_op(","):
            self.position += 1
            values.append(self._next("a value"))
        self._expect(")")
        return tuple(values)

    def _order_by(self) -> tuple[tuple[str, bool], ...]:
        self.position += 1
        if self._next("BY").lower() != "by":
            raise JqlError("Error in the JQL Query: expecting 'BY' after 'ORDER'.")
        order = [self._sort_key()]
        while self._at_op(","):
            self.position += 1
            order.append(self._sort_key())
        return tuple(order)

    def _sort_key(self) -> tuple[str, bool]:
        name = JQL_FIELDS.get(self._next("a field name").lower())
        if name not in ("key", "updated"):
            raise JqlError("Error in the JQL Query: FakeJira orders only by key or updated.")
        descending = False
        if self._at_word("asc") or self._at_word("desc"):
            descending = self.tokens[self.position][1].lower() == "desc"
            self.position += 1
        return name, descending

    def _next(self, expected: str) -> str:
        if self._done():
            raise JqlError(f"Error in the JQL Query: expecting {expected} but got the end.")
        self.position += 1
        return self.tokens[self.position - 1][1]

    def _expect(self, op: str) -> None:
        if not self._at_op(op):
            raise JqlError(f"Error in the JQL Query: expecting '{op}'.")
        self.position += 1

    def _at_word(self, word: str) -> bool:
        if self._done():
            return False
        kind, text = self.tokens[self.position]
        return kind == "word" and text.lower() == word

    def _at_op(self, op: str) -> bool:
        return not self._done() and self.tokens[self.position] == ("op", op)

    def _done(self) -> bool:
        return self.position >= len(self.tokens)


RELATIVE_TIME = re.compile(r"^([+-]?)(\d+)([mhdw])$")
TIME_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def jql_moment(value: str, now: datetime) -> datetime:
    """Read a JQL date: relative (-90m, -2h, -1d, -1w) or absolute (2026-03-01[ 10:00], UTC)."""
    relative = RELATIVE_TIME.match(value)
    if relative:
        sign, amount, unit = relative.groups()
        delta = timedelta(**{TIME_UNITS[unit]: int(amount)})
        return now - delta if sign == "-" else now + delta
    for layout in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise JqlError(f"Date value '{value}' for field 'updated' is invalid.")


def clause_matches(clause: Clause, ticket: Ticket, now: datetime) -> bool:
    """Whether one JQL clause holds for a ticket (values compare case-insensitively)."""
    wanted = clause.wanted
    if clause.field == "key":
        return ticket.key.lower() in wanted
    if clause.field == "project":
        return ticket.project.lower() in wanted
    if clause.field == "labels":
        return any(label.lower() in wanted for label in ticket.labels)
    if clause.field == "status":
        return (ticket.status_name or "").lower() in wanted
    if clause.field == "parent":
        return (ticket.parent or "").lower() in wanted
    if clause.field == "epic":
        return (ticket.epic or "").lower() in wanted
    updated, bound = parse_jira_time(ticket.updated), jql_moment(clause.values[0], now)
    return {
        ">=": updated >= bound,
        ">": updated > bound,
        "<=": updated <= bound,
        "<": updated < bound,
    }[clause.operator]


def sort_tickets(tickets: list[Ticket], order: tuple[tuple[str, bool], ...]) -> list[Ticket]:
    """Apply ORDER BY; without one, newest key first (as the Data Center search sample is)."""
    for name, descending in reversed(order or (("key", True),)):
        if name == "key":
            tickets.sort(key=lambda t: key_order(t.key), reverse=descending)
        else:
            tickets.sort(key=lambda t: parse_jira_time(t.updated), reverse=descending)
    return tickets


# --------------------------------------------------------------------------------------------
# Parameters of a search request, from the query string (GET) or the JSON body (POST)


def field_list(raw: Any) -> list[str] | None:
    """The requested fields: None when absent, else names split on commas."""
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]
    return [name.strip() for item in items for name in str(item).split(",")]


def flag(raw: Any, default: bool) -> bool:
    """Read validateQuery: true/false, or Data Center's strict/warn/none."""
    if raw is None:
        return default
    return str(raw).lower() not in ("false", "none", "warn", "0")


def integer(raw: Any, name: str, default: int) -> int:
    """Read startAt or maxResults; a non-number is a 400 as in Jira."""
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise JqlError(f"The value '{raw}' is invalid for the '{name}' parameter.") from None


def select_fields(all_fields: dict[str, Any], requested: list[str] | None) -> dict[str, Any]:
    """Keep the requested fields: *all / *navigable, names, and -name to leave one out."""
    if requested is None:
        return dict(all_fields)
    wanted = set()
    for name in requested:
        if name in ("*all", "*navigable"):
            wanted |= set(all_fields)
        elif name and not name.startswith("-"):
            wanted.add(name)
    wanted -= {name[1:] for name in requested if name.startswith("-")}
    return {name: value for name, value in all_fields.items() if name in wanted}


# --------------------------------------------------------------------------------------------
# The server


class JiraHTTPServer(ThreadingHTTPServer):
    """A threading server that knows its FakeJira."""

    daemon_threads = True
    fake: FakeJira


class JiraRequestHandler(BaseHTTPRequestHandler):
    """Reads one request, lets FakeJira answer it, writes (or withholds) the answer."""

    protocol_version = "HTTP/1.1"
    timeout = 10  # a client that stops sending cannot hold a thread for ever
    server: JiraHTTPServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_GET

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fake = self.server.fake
        reply = fake.handle(self.command, self.path, dict(self.headers.items()), body)
        self.close_connection = True
        if reply.delay and fake.wait(reply.delay):
            return  # the server is stopping: give up on the slow answer
        if not reply.drop:
            self._write(reply)

    def _write(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to tell it

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read `FakeJira.requests` instead."""


class FakeJira:
    """A Jira Cloud or Data Center REST server on 127.0.0.1 for tests; see the module doc.

    deployment: "Cloud" or "DataCenter". basic_auth/token: the credentials the server accepts
    (both None: no authentication). max_results: the server's cap on a page. clock: returns
    the aware "now" used for `updated` and relative JQL dates. server_info: keys merged into
    the serverInfo body. dc_is_last: put "isLast" in Data Center search pages.
    hidden_keys_error: treat hidden keys in `key in (...)` as not existing (400) instead of
    leaving them out silently.
    """

    def __init__(
        self,
        deployment: str = DATA_CENTER,
        *,
        basic_auth: tuple[str, str] | None = (DEFAULT_USER, DEFAULT_TOKEN),
        token: str | None = None,
        max_results: int = 100,
        clock: Callable[[], datetime] | None = None,
        server_info: dict[str, Any] | None = None,
        dc_is_last: bool = True,
        hidden_keys_error: bool = False,
        samples: Path | None = None,
    ):
        if deployment not in (CLOUD, DATA_CENTER):
            raise ValueError(f"deployment must be {CLOUD!r} or {DATA_CENTER!r}")
        self.deployment = deployment
        self.basic_auth = basic_auth
        self.token = token
        self.max_results = max_results
        self.clock = clock or (lambda: datetime.now(UTC))
        self.server_info_overrides = dict(server_info or {})
        self.dc_is_last = dc_is_last
        self.hidden_keys_error = hidden_keys_error
        self.forbidden = False
        self.display_name = "Tracker Bot"
        self.tickets: dict[str, Ticket] = {}
        self.requests: list[RecordedRequest] = []
        self.server_errors: list[str] = []
        self._samples = samples or samples_dir()
        self._faults: list[Fault] = []
        self._page_tokens: OrderedDict[str, tuple[str, int]] = OrderedDict()
        self._next_number: dict[str, int] = {}
        self._ids: dict[tuple[str, str], str] = {}
        self._templates: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: JiraHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    @property
    def is_cloud(self) -> bool:
        return self.deployment == CLOUD

    @property
    def url(self) -> str:
        """The base URL to give the client, e.g. http://127.0.0.1:54321."""
        if self._server is None:
            raise RuntimeError("FakeJira is not running: call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeJira:
        """Bind a free port on 127.0.0.1 and serve from a daemon thread (no-op when running)."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = JiraHTTPServer(("127.0.0.1", 0), JiraRequestHandler)
        self._server.fake = self
        self._templates = self._load_templates()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-jira",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake any slow fault, close the socket and join the thread."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeJira:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` without time.sleep (tests patch it); True if stopping."""
        return self._stopping.wait(min(seconds, MAX_FAULT_DELAY))

    # ---- tickets

    def add_ticket(self, key: str, **fields: Any) -> Ticket:
        """Create or replace a ticket; `updated` defaults to the clock's now."""
        with self._lock:
            number = key_order(key)[1] if KEY_PATTERN.match(key) else 0
            project = key.partition("-")[0]
            self._next_number[project] = max(self._next_number.get(project, 1), number + 1)
            fields.setdefault("updated", jira_time(self.clock()))
            fields.setdefault("created", fields["updated"])
            fields.setdefault("id", self._id("issue", key))
            ticket = Ticket(key=key, **fields)
            self.tickets[key] = ticket
            return ticket

    def update_ticket(self, key: str, **fields: Any) -> Ticket:
        """Change some fields; like Jira, `updated` moves to now unless given."""
        with self._lock:
            fields.setdefault("updated", jira_time(self.clock()))
            self.tickets[key] = replace(self.tickets[key], **fields)
            return self.tickets[key]

    def delete_ticket(self, key: str) -> None:
        """Remove a ticket: searching for its key then fails with 400, fetching it with 404."""
        with self._lock:
            del self.tickets[key]

    def set_hidden(self, key: str, hidden: bool = True) -> None:
        """Make the caller lose (or regain) permission to browse the ticket."""
        self.update_ticket(key, hidden=hidden, updated=self.tickets[key].updated)

    # ---- faults

    def fail(
        self,
        path_prefix: str,
        status: int | None,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
        content_type: str | None = None,
        delay: float = 0.0,
        drop: bool = False,
        method: str | None = None,
    ) -> Fault:
        """Answer the next `times` matching requests with this status (FIFO among faults).

        body: a dict/list is sent as JSON, a str/bytes as is; None gives Jira's error body.
        status None answers normally after `delay` seconds (at most MAX_FAULT_DELAY); drop
        closes the connection unanswered. method limits the fault to GET, POST, ...
        """
        if not 0 <= delay <= MAX_FAULT_DELAY:
            raise ValueError(f"delay must be between 0 and {MAX_FAULT_DELAY} s")
        fault = Fault(
            path_prefix,
            status,
            body,
            dict(headers or {}),
            content_type,
            delay,
            drop,
            method.upper() if method else None,
            times,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def fail_slow(self, path_prefix: str, seconds: float, *, times: int = 1) -> Fault:
        """Answer normally, but only after `seconds` (to trip a client timeout)."""
        return self.fail(path_prefix, None, delay=seconds, times=times)

    def fail_drop(self, path_prefix: str, *, times: int = 1) -> Fault:
        """Close the connection without any response."""
        return self.fail(path_prefix, None, drop=True, times=times)

    def fail_html(self, path_prefix: str, *, status: int = 200, times: int = 1) -> Fault:
        """Answer with an SSO login page (text/html), as a proxy in front of Jira does."""
        return self.fail(
            path_prefix,
            status,
            body=SSO_LOGIN_PAGE,
            content_type="text/html;charset=UTF-8",
            times=times,
        )

    def clear_faults(self) -> None:
        """Forget every fault not yet used up: from now on the server answers normally."""
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> list[Fault]:
        """Faults not yet used up."""
        with self._lock:
            return list(self._faults)

    # ---- observability

    def requests_to(self, path_prefix: str, method: str | None = None) -> list[RecordedRequest]:
        """The recorded requests whose path starts with `path_prefix`."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.path.startswith(path_prefix) and method in (None, r.method)
            ]

    def search_requests(self) -> list[RecordedRequest]:
        """The recorded search calls (search and search/jql, any API version)."""
        with self._lock:
            return [r for r in self.requests if re.search(r"/search(/jql)?$", r.path)]

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self.requests.clear()

    # ---- request handling (called by the handler thread)

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        """Answer one HTTP request: record it, apply a fault or authenticate and route it."""
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query, keep_blank_values=True)
        with self._lock:
            payload = self._record(method, parts.path, query, headers, body)
            fault = self._take_fault(method, parts.path)
            if fault is not None and (fault.drop or fault.status is not None):
                return self._fault_reply(fault)
            try:
                reply = self._authenticate(headers, parts.path) or self._route(
                    method, parts.path, query, payload
                )
            except Exception:  # a bug in FakeJira: surface it, not a hang
                self.server_errors.append(traceback.format_exc())
                reply = error_reply(500, ["FakeJira failed; see FakeJira.server_errors"])
        reply.delay = fault.delay if fault is not None else 0.0
        return reply

    def _record(
        self, method: str, path: str, query: dict, headers: dict[str, str], body: bytes
    ) -> Any:
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = body.decode(errors="replace")
        secret_headers = ("authorization", "cookie", "proxy-authorization")
        safe = {k: REDACTED if k.lower() in secret_headers else v for k, v in headers.items()}
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme = authorization.split(" ", 1)[0] or None
        self.requests.append(RecordedRequest(method, path, query, payload, safe, scheme))
        return payload

    def _take_fault(self, method: str, path: str) -> Fault | None:
        fault = next((f for f in self._faults if f.matches(method, path)), None)
        if fault is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
        return fault

    def _fault_reply(self, fault: Fault) -> Reply:
        if fault.drop:
            return Reply(0, drop=True, delay=fault.delay)
        status = fault.status or 500
        if fault.body is None:
            reply = error_reply(status, [status_phrase(status)] if status >= 400 else [])
        elif isinstance(fault.body, dict | list):
            reply = json_reply(status, fault.body)
        else:
            raw = fault.body if isinstance(fault.body, bytes) else fault.body.encode()
            reply = Reply(status, raw, {"Content-Type": "text/plain;charset=UTF-8"})
        if fault.content_type:
            reply.headers["Content-Type"] = fault.content_type
        reply.headers.update(fault.headers)
        reply.delay = fault.delay
        return reply

    def _authenticate(self, headers: dict[str, str], path: str) -> Reply | None:
        """None when the request may proceed; else the 401/403 Jira would send."""
        if self.forbidden:
            return error_reply(403, [FORBIDDEN_MESSAGE])
        given = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        accepted = self._accepted_authorizations()
        if not accepted or given in accepted:
            return None
        if given is None and path.endswith("/serverInfo"):
            return None  # Jira shows serverInfo to anonymous callers
        # Data Center's login filter (Seraph) says why; the package reads this header.
        extra = {} if self.is_cloud else {"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"}
        return error_reply(401, [AUTH_FAILED_MESSAGE], headers=extra)

    def _accepted_authorizations(self) -> set[str]:
        accepted = set()
        if self.basic_auth is not None:
            pair = ":".join(self.basic_auth).encode()
            accepted.add("Basic " + base64.b64encode(pair).decode())
        if self.token is not None:
            accepted.add(f"Bearer {self.token}")
        return accepted

    def _route(self, method: str, path: str, query: dict, payload: Any) -> Reply:
        match = re.fullmatch(r"/rest/api/(2|3|latest)/(.+)", path)
        versions = ("2", "3", "latest") if self.is_cloud else ("2", "latest")
        if not match or match.group(1) not in versions:
            return self._not_found(path)
        resource = match.group(2)
        params = {k: v if len(v) > 1 else v[0] for k, v in query.items()}
        if method == "POST" and isinstance(payload, dict):
            params = {**params, **payload}
        for verbs, pattern, handler in self._routes():
            found = re.fullmatch(pattern, resource)
            if found and method in verbs:
                return handler(params, *found.groups())
            if found:
                return error_reply(405, [f"Method {method} is not allowed here."])
        return self._not_found(path)

    def _routes(self) -> list[tuple[tuple[str, ...], str, Callable[..., Reply]]]:
        return [
            (("GET",), "serverInfo", self._server_info),
            (("GET",), "myself", self._myself),
            (("GET",), "field", self._fields),
            (("GET",), "issuetype", self._issue_types),
            (("GET",), r"project/([^/]+)", self._project),
            (("GET", "POST"), "search", self._search_old),
            (("GET", "POST"), "search/jql", self._search_jql),
            (("POST",), "issue", self._create_issue),
            (("GET",), r"issue/([^/]+)", self._get_issue),
        ]

    def _not_found(self, path: str) -> Reply:
        # Jira's REST layer answers unknown resources this way.
        return error_reply(404, [f"null for uri: {self.url}{path}"])

    # ---- resources

    def _server_info(self, params: dict) -> Reply:
        info = copy.deepcopy(self._templates["serverinfo"])
        info.update(baseUrl=self.url, serverTime=jira_time(self.clock()))
        if not self.is_cloud:
            info.update(
                version="9.12.0",
                versionNumbers=[9, 12, 0],
                deploymentType="Server",
                buildNumber=9120000,
                serverTitle="Jira",
            )
        info.update(copy.deepcopy(self.server_info_overrides))
        return json_reply(200, info)

    def _myself(self, params: dict) -> Reply:
        user = self._user(self.display_name)
        user.update(locale="en_US", groups={"size": 1, "items": []}, expand="groups")
        if self.basic_auth is not None:
            user["emailAddress"] = self.basic_auth[0]
            if not self.is_cloud:
                user["name"] = self.basic_auth[0]
        return json_reply(200, user)

    def _fields(self, params: dict) -> Reply:
        return json_reply(
            200,
            [
                {
                    "id": field_id,
                    "key": field_id,
                    "name": name,
                    "custom": field_id.startswith("customfield_"),
                    "orderable": True,
                    "navigable": True,
                    "searchable": True,
                    "clauseNames": clause_names,
                    "schema": {"type": kind, "system": field_id},
                }
                for field_id, name, clause_names, kind in self._field_definitions()
            ],
        )

    def _field_definitions(self) -> list[tuple]:
        return FIELD_DEFINITIONS if self.is_cloud else [*FIELD_DEFINITIONS, EPIC_LINK_FIELD]

    def _issue_types(self, params: dict) -> Reply:
        return json_reply(200, [self._issue_type(name) for name in ISSUE_TYPES])

    def _project(self, params: dict, key_or_id: str) -> Reply:
        project = self._project_key(key_or_id)
        if project is None:
            return error_reply(404, [f"No project could be found with key '{key_or_id}'."])
        return json_reply(200, self._project_json(project, with_issue_types=True))

    def _search_old(self, params: dict) -> Reply:
        if self.is_cloud:
            return error_reply(410, [SEARCH_REMOVED_MESSAGE])
        try:
            page = self._search_page(params, validate=flag(params.get("validateQuery"), True))
        except JqlError as error:
            return error_reply(400, error.messages)
        return json_reply(200, page)

    def _search_jql(self, params: dict) -> Reply:
        if not self.is_cloud:
            return self._not_found("/rest/api/2/search/jql")
        try:
            page = self._search_token_page(params)
        except JqlError as error:
            return error_reply(400, error.messages)
        return json_reply(200, page)

    def _search_page(self, params: dict, validate: bool) -> dict[str, Any]:
        """Data Center: one page by startAt, with total, capped at max_results."""
        tickets, warnings = self._matching(params, validate)
        start = max(integer(params.get("startAt"), "startAt", 0), 0)
        size = min(integer(params.get("maxResults"), "maxResults", 50), self.max_results)
        size = max(size, 0)
        requested = field_list(params.get("fields"))
        page = {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(tickets),
            "issues": [self._issue_json(t, requested) for t in tickets[start : start + size]],
        }
        if self.dc_is_last:
            page["isLast"] = start + size >= len(tickets)
        if warnings:
            page["warningMessages"] = warnings
        return page

    def _search_token_page(self, params: dict) -> dict[str, Any]:
        """Cloud: one page by nextPageToken, no total; the last page has no token."""
        tickets, _ = self._matching(params, validate=True)
        jql = str(params.get("jql") or "")
        start = self._page_start(params.get("nextPageToken"), jql)
        size = min(integer(params.get("maxResults"), "maxResults", 50), self.max_results)
        size = max(size, 1)
        # Enhanced search returns only issue ids when no fields are asked for.
        requested = field_list(params.get("fields"))
        page: dict[str, Any] = {
            "issues": [
                self._issue_json(t, requested, ids_only=requested is None)
                for t in tickets[start : start + size]
            ]
        }
        if start + size < len(tickets):
            page["nextPageToken"] = self._new_page_token(jql, start + size)
        page["isLast"] = "nextPageToken" not in page
        return page

    def _page_start(self, token: Any, jql: str) -> int:
        if not token:
            return 0
        stored = self._page_tokens.get(str(token))
        if stored is None or stored[0] != jql:
            raise JqlError("The provided next page token is invalid or expired.")
        return stored[1]

    def _new_page_token(self, jql: str, start: int) -> str:
        token = uuid.uuid4().hex
        self._page_tokens[token] = (jql, start)
        while len(self._page_tokens) > MAX_STORED_PAGE_TOKENS:
            self._page_tokens.popitem(last=False)
        return token

    def _matching(self, params: dict, validate: bool) -> tuple[list[Ticket], list[str]]:
        """Run the JQL: the visible tickets in order, and warnings for unknown keys."""
        query = JqlParser(str(params.get("jql") or "")).parse()
        problems = self._key_problems(query)
        if problems and validate:
            raise JqlError(*problems)
        now = self.clock()
        tickets = [
            t
            for t in self._candidates(query)
            if not t.hidden
            and any(all(clause_matches(c, t, now) for c in group) for group in query.groups)
        ]
        return sort_tickets(tickets, query.order), problems

    def _candidates(self, query: Query) -> list[Ticket]:
        """Only the tickets that each OR group names by key, parent or epic link, when every
        group names some (a big register stays fast, as a real Jira's index keeps it)."""
        named = [
            next((c for c in group if c.field in INDEXED_FIELDS), None) for group in query.groups
        ]
        if not named or None in named:
            return list(self.tickets.values())
        found: dict[str, Ticket] = {}
        for clause in named:
            if clause.field == "key":
                for key in clause.wanted:
                    ticket = self.tickets.get(key.upper())
                    if ticket is not None and ticket.key.lower() == key:
                        found[ticket.key] = ticket
                continue
            attribute = "parent" if clause.field == "parent" else "epic"
            for ticket in self.tickets.values():
                if (getattr(ticket, attribute) or "").lower() in clause.wanted:
                    found[ticket.key] = ticket
        return list(found.values())

    def _key_problems(self, query: Query) -> list[str]:
        """One message per key that is malformed or names no issue the caller may see."""
        problems = []
        for clause in query.clauses:
            if clause.field != "key":
                continue
            for key in clause.values:
                if not KEY_PATTERN.match(key.upper()):
                    problems.append(f"The issue key '{key}' for field 'key' is invalid.")
                elif not self._visible_key(key):
                    problems.append(f"An issue with key '{key}' does not exist for field 'key'.")
        return problems

    def _visible_key(self, key: str) -> bool:
        """Whether `key` (any case) names a ticket the caller may name in JQL."""
        ticket = self.tickets.get(key.upper())
        if ticket is None or ticket.key.lower() != key.lower():
            return False
        return not (ticket.hidden and self.hidden_keys_error)

    def _create_issue(self, params: dict) -> Reply:
        fields = params.get("fields") if isinstance(params.get("fields"), dict) else {}
        errors = {}
        project = self._project_key_from(fields.get("project"))
        if project is None:
            errors["project"] = "valid project is required"
        issue_type = self._issue_type_from(fields.get("issuetype"))
        if issue_type is None:
            errors["issuetype"] = "valid issue type is required"
        if not str(fields.get("summary") or "").strip():
            errors["summary"] = "You must specify a summary of the issue."
        if errors:
            return error_reply(400, [], errors)
        key = f"{project}-{self._next_number.get(project, 1)}"
        ticket = self.add_ticket(
            key,
            summary=fields["summary"],
            description=fields.get("description"),
            labels=list(fields.get("labels") or []),
            issue_type=issue_type,
        )
        link = f"{self.url}/rest/api/2/issue/{ticket.id}"
        return json_reply(201, {"id": ticket.id, "key": key, "self": link})

    def _get_issue(self, params: dict, key_or_id: str) -> Reply:
        ticket = next(
            (
                t
                for t in self.tickets.values()
                if key_or_id.lower() in (t.key.lower(), t.id) and not t.hidden
            ),
            None,
        )
        if ticket is None:
            return error_reply(404, [ISSUE_NOT_FOUND_MESSAGE])
        return json_reply(200, self._issue_json(ticket, field_list(params.get("fields"))))

    # ---- rendering tickets as Jira JSON, from the sample templates

    def _load_templates(self) -> dict[str, Any]:
        """Read the samples, pointing their links at this server."""
        names = {
            "serverinfo": "cloud_serverinfo__jira-cli.json",
            "issue": "server_v2_issue_single__jira-ruby.json",
            "sprint": "cloud_agile_sprint_issues_statusCategory__go-jira.json",
        }
        templates = {}
        for name, filename in names.items():
            text = (self._samples / filename).read_text()
            for base in SAMPLE_BASE_URLS:
                text = text.replace(base, self.url)
            templates[name] = json.loads(text)
        cloud_fields = templates.pop("sprint")["issues"][0]["fields"]
        templates["category"] = cloud_fields["status"]["statusCategory"]
        templates["resolution"] = cloud_fields["resolution"]
        return templates

    def _issue_json(
        self, ticket: Ticket, requested: list[str] | None, ids_only: bool = False
    ) -> dict[str, Any]:
        """The issue as search and GET issue return it, with only the requested fields."""
        if ids_only:
            return {"id": ticket.id}
        issue = {
            "expand": self._templates["issue"]["expand"],
            "id": ticket.id,
            "self": f"{self.url}/rest/api/2/issue/{ticket.id}",
            "key": ticket.key,
        }
        # Only the fields asked for are copied off the sample (a copy of all of them per issue
        # made a page of 100 issues slow to serve).
        issue["fields"] = copy.deepcopy(select_fields(self._all_fields(ticket), requested))
        return issue

    def _all_fields(self, ticket: Ticket) -> dict[str, Any]:
        fields = dict(self._templates["issue"]["fields"])
        fields.update(
            summary=ticket.summary,
            description=ticket.description,
            labels=list(ticket.labels),
            duedate=ticket.duedate,
            updated=ticket.updated,
            fixVersions=[self._version(name) for name in ticket.fix_versions],
            resolution=self._resolution(ticket.resolution),
            resolutiondate=ticket.resolutiondate or (ticket.updated if ticket.resolution else None),
            created=ticket.created,
            assignee=self._user(ticket.assignee) if ticket.assignee else None,
            reporter=self._user(self.display_name),
            project=self._project_json(ticket.project),
            issuetype=self._issue_type(ticket.issue_type),
        )
        if ticket.parent:
            parent = self.tickets.get(ticket.parent)
            fields["parent"] = {
                "id": parent.id if parent else "",
                "key": ticket.parent,
                "self": f"{self.url}/rest/api/2/issue/{ticket.parent}",
            }
        if not self.is_cloud:
            fields[EPIC_LINK_FIELD[0]] = ticket.epic
        if ticket.priority is not None:
            fields["priority"] = {**fields["priority"], "name": ticket.priority}
        fields.update(copy.deepcopy(ticket.custom))
        if ticket.status_name is None:
            del fields["status"]
        else:
            fields["status"] = self._status(ticket.status_name, ticket.status_category)
        return fields

    def _status(self, name: str, category: str | None) -> dict[str, Any]:
        status = copy.deepcopy(self._templates["issue"]["fields"]["status"])
        status_id = self._id("status", name)
        status.update(name=name, id=status_id, self=f"{self.url}/rest/api/2/status/{status_id}")
        status.pop("statusCategory", None)
        if category is not None:
            category_id, colour, label = STATUS_CATEGORIES[category]
            status["statusCategory"] = {
                **copy.deepcopy(self._templates["category"]),
                "self": f"{self.url}/rest/api/2/statuscategory/{category_id}",
                "id": category_id,
                "key": category,
                "colorName": colour,
                "name": label,
            }
        return status

    def _resolution(self, name: str | None) -> dict[str, Any] | None:
        if name is None:
            return None
        resolution_id = self._id("resolution", name)
        return {
            **copy.deepcopy(self._templates["resolution"]),
            "self": f"{self.url}/rest/api/2/resolution/{resolution_id}",
            "id": resolution_id,
            "name": name,
        }

    def _user(self, display_name: str) -> dict[str, Any]:
        """A user as Cloud (accountId) or Data Center (name, key) shows it."""
        user = copy.deepcopy(self._templates["issue"]["fields"]["assignee"])
        slug = re.sub(r"[^a-z0-9]+", ".", display_name.lower()).strip(".") or "user"
        user.update(displayName=display_name, emailAddress=f"{slug}@example.com", active=True)
        user["timeZone"] = "Etc/UTC"
        if self.is_cloud:
            account_id = hashlib.sha256(slug.encode()).hexdigest()[:24]
            user.pop("name", None)
            user.pop("key", None)
            user.update(accountId=account_id, accountType="atlassian")
            user["self"] = f"{self.url}/rest/api/2/user?accountId={account_id}"
        else:
            user.update(name=slug, key=slug, self=f"{self.url}/rest/api/2/user?username={slug}")
        return user

    def _version(self, name: str) -> dict[str, Any]:
        version_id = self._id("version", name)
        return {
            "self": f"{self.url}/rest/api/2/version/{version_id}",
            "id": version_id,
            "name": name,
            "archived": False,
            "released": False,
        }

    def _project_json(self, key: str, with_issue_types: bool = False) -> dict[str, Any]:
        project_id = self._id("project", key)
        project = {
            "self": f"{self.url}/rest/api/2/project/{project_id}",
            "id": project_id,
            "key": key,
            "name": f"Project {key}",
        }
        if with_issue_types:
            project["issueTypes"] = [self._issue_type(name) for name in ISSUE_TYPES]
        return project

    def _issue_type(self, name: str) -> dict[str, Any]:
        template = self._templates["issue"]["fields"]["issuetype"]
        type_id = ISSUE_TYPES.get(name) or self._id("issuetype", name)
        link = f"{self.url}/rest/api/2/issuetype/{type_id}"
        return {**copy.deepcopy(template), "self": link, "id": type_id, "name": name}

    def _id(self, kind: str, name: str) -> str:
        """A stable numeric id per (kind, name), counting up from 10000."""
        if (kind, name) not in self._ids:
            self._ids[(kind, name)] = str(10000 + len(self._ids))
        return self._ids[(kind, name)]

    def _project_key(self, key_or_id: str) -> str | None:
        """A project known from tickets or ids, by key or id."""
        for (kind, name), value in self._ids.items():
            if kind == "project" and key_or_id in (name, value):
                return name
        projects = {t.project for t in self.tickets.values()} | set(self._next_number)
        return key_or_id if key_or_id in projects else None

    def _project_key_from(self, project: Any) -> str | None:
        if isinstance(project, dict) and project.get("key"):
            key = str(project["key"])
            return key if re.fullmatch(r"[A-Z][A-Z0-9_]*", key) else None
        if isinstance(project, dict) and project.get("id"):
            return self._project_key(str(project["id"]))
        return None

    def _issue_type_from(self, issue_type: Any) -> str | None:
        if not isinstance(issue_type, dict):
            return None
        if issue_type.get("name") in ISSUE_TYPES:
            return issue_type["name"]
        by_id = {type_id: name for name, type_id in ISSUE_TYPES.items()}
        return by_id.get(str(issue_type.get("id")))
