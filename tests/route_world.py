"""A populated world where every route's URL can be filled: two teams, a person of each kind
the authorization matrix asks about, and one of everything a URL names (a risk with a Jira link,
a mitigation with one, an incident that materialised the risk with a follow-up, an open review,
a sync run, an API token). Used by tests that visit every route (tests/test_authorization_matrix.py,
tests/test_hostile_input.py).

A new URL parameter needs a line in `url_values`; until then `fill` fails naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import sqlalchemy as sa
from werkzeug.routing import Rule

from tests.factories import Factory
from tracker.accounts import services as accounts
from tracker.api import tokens
from tracker.extensions import db
from tracker.incidents import services as incident_services
from tracker.jira import links as jira_links
from tracker.mitigations import services as mitigation_services
from tracker.models import SyncRun, User
from tracker.reviews import services as review_services

# The principals every route is tried as, in the matrix's column order.
PRINCIPALS = ("anonymous", "viewer", "manager_own", "manager_other", "admin", "deactivated")
# The Jira tickets linked to the world's risk and mitigation.
RISK_TICKET, MITIGATION_TICKET = "OPS-1", "OPS-2"


@dataclass(frozen=True)
class World:
    """What URLs and requests name, as plain values (they outlive any database session)."""

    team: str  # the owning team's slug
    user_ids: dict[str, int]  # by principal name; no entry for "anonymous"
    member_id: int  # a viewer in the owning team: the user a user or member URL names
    risk_key: str
    mitigation_id: int
    incident_key: str
    review_id: int
    run_id: int
    spare_token_id: int  # a token of manager_own's, for the revoke URL
    api_tokens: dict[str, str] = field(default_factory=dict)  # by principal name


def build_world(factory: Factory, clock) -> World:
    """Create the world through the tracker's own services; `clock` is the tests' FakeClock."""
    own = factory.team("payments", "Payments")
    other = factory.team("search", "Search")
    admin = factory.user("admin@example.com", "admin", "Ada Admin")
    users = {
        "viewer": factory.user("viewer@example.com", "viewer", "Vic Viewer"),
        "manager_own": factory.user("own@example.com", "manager", "Olga Own", teams=[own]),
        "manager_other": factory.user("other@example.com", "manager", "Otto Other", teams=[other]),
        "admin": admin,
    }
    deactivated = factory.user("gone@example.com", "manager", "Gus Gone", teams=[own])
    api_tokens = {name: tokens.create_token(user, "matrix")[1] for name, user in users.items()}
    api_tokens["deactivated"] = tokens.create_token(deactivated, "matrix")[1]
    accounts.deactivate_user(deactivated)
    users["deactivated"] = deactivated
    member = factory.user("member@example.com", "viewer", "Mo Member", teams=[own])
    spare, _ = tokens.create_token(users["manager_own"], "spare")

    owner = users["manager_own"]
    risk = factory.risk(own, owner, title="Primary database has no failover", likelihood=4)
    today = clock.current.date()
    start = datetime.combine(today - timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    incident = incident_services.create_incident(
        {
            "title": "Checkout down",
            "severity": "sev2",
            "team": own.slug,
            "started_at": start,
            "resolved_at": start + timedelta(hours=1),
            "impact_minutes": 20,
        },
        None,
    )
    incident_services.link_risk(incident, risk, None)
    mitigation = mitigation_services.add_mitigation(
        risk,
        {
            "title": "Add a replica",
            "team": own.slug,
            "owner": owner.email,
            "due_date": today + timedelta(days=30),
            "source_incident": incident.key,
            "horizon": "short",
        },
        None,
    )
    jira_links.add_link(risk, RISK_TICKET, None)
    jira_links.add_link(mitigation, MITIGATION_TICKET, None)
    sync_run = SyncRun(
        started_at=clock.current,
        finished_at=clock.current + timedelta(seconds=2),
        status="succeeded",
        tickets_total=2,
        tickets_read=2,
    )
    db.session.add(sync_run)
    db.session.commit()
    review = review_services.start_review(admin)
    return World(
        team=own.slug,
        user_ids={name: user.id for name, user in users.items()},
        member_id=member.id,
        risk_key=risk.key,
        mitigation_id=mitigation.id,
        incident_key=incident.key,
        review_id=review.id,
        run_id=sync_run.id,
        spare_token_id=spare.id,
        api_tokens=api_tokens,
    )


def url_values(world: World, rule: Rule) -> dict[str, object]:
    """A value for each parameter a URL rule may have, chosen for that rule's place."""
    path = rule.rule
    incident_url = "/incidents/" in path
    return {
        "key": world.incident_key if incident_url else world.risk_key,
        "risk_key": world.risk_key,
        "jira_key": MITIGATION_TICKET if "/mitigations/" in path else RISK_TICKET,
        "mitigation_id": world.mitigation_id,
        "token_id": world.spare_token_id,
        "slug": "infrastructure" if "/categories/" in path else world.team,
        "user_id": world.member_id,
        "review_id": world.review_id,
        "run_id": world.run_id,
        "fmt": "csv",
        "filename": "css/app.css",
    }


def fill(world: World, rule: Rule) -> str:
    """The rule's URL with every parameter filled from the world."""
    values = url_values(world, rule)
    missing = sorted(set(rule.arguments) - set(values))
    if missing:
        raise LookupError(
            f"tests/route_world.py cannot fill {', '.join(missing)} in {rule.rule} "
            f"({rule.endpoint}): add a value to url_values()."
        )
    _, url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)
    return url


Snapshot = dict[str, list[dict]]


def snapshot() -> Snapshot:
    """Every row of every table, to put back with `restore` after a request that wrote."""
    db.session.remove()
    with db.engine.connect() as conn:
        return {
            table.name: [dict(row._mapping) for row in conn.execute(table.select())]
            for table in db.metadata.sorted_tables
        }


def restore(saved: Snapshot) -> None:
    """Put the database back as `snapshot` found it (the same ids, so URLs stay valid)."""
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        for table in db.metadata.sorted_tables:
            if saved[table.name]:
                conn.execute(table.insert(), saved[table.name])


# Bookkeeping any request may write without changing what the tracker holds.
_BOOKKEEPING = {("api_tokens", "last_used_at"), ("users", "last_sign_in_at")}
# Login sessions: each principal's client opens one (signed_in_client), and signing in or out
# is what they record.
_SKIPPED_TABLES = {"login_failures", "login_sessions"}


def database_state() -> dict[str, list[tuple]]:
    """Every row of every table (bookkeeping columns left out), to compare before and after a
    request that must change nothing."""
    state = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in _SKIPPED_TABLES:
                continue
            columns = [c for c in table.columns if (table.name, c.name) not in _BOOKKEEPING]
            rows = conn.execute(sa.select(*columns).order_by(*table.primary_key.columns))
            state[table.name] = [tuple(row) for row in rows]
    return state


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    """The names of the tables whose rows differ between two database_state()s."""
    return sorted(name for name in before if before[name] != after.get(name))


@dataclass
class Form:
    """A form on a page: where and how it sends, and what a browser would send untouched."""

    action: str
    method: str  # "get" or "post"
    fields: list[tuple[str, str]]  # checked boxes, selected options, texts, the first button
    names: set[str]  # every field's name, unchecked boxes and other buttons included
    files: list[str]  # the names of its file inputs


class _PageReader(HTMLParser):
    """The forms of a page, and the query parameters of its links (by the path they open)."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.links: list[tuple[str, set[str]]] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: str | None = None
        self._picked = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._submitted = False

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            parts = urlsplit(a["href"])
            names = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
            self.links.append((parts.path or self.page_path, names))
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_path).path or self.page_path
            self._form = Form(action, a.get("method", "get").lower(), [], set(), [])
            self._submitted = False
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            self._option, self._picked, self._text = a.get("value"), "selected" in a, []
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            self._input(a["name"], a.get("type", "text").lower(), a)
        elif tag == "button":
            self._input(a["name"], "submit", a)
        elif tag == "select":
            self._form.names.add(a["name"])
            self._select = (a["name"], [])
        elif tag == "textarea":
            self._form.names.add(a["name"])
            self._textarea, self._text = a["name"], []

    def _input(self, name: str, kind: str, a: dict[str, str]) -> None:
        self._form.names.add(name)
        if kind == "file":
            self._form.files.append(name)
        elif kind in ("checkbox", "radio") and "checked" not in a:
            return
        elif kind == "submit":
            if not self._submitted:
                self._submitted = True
                self._form.fields.append((name, a.get("value", "")))
        else:
            self._form.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))

    def handle_data(self, data):
        self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select is not None:
            text = "".join(self._text).strip()
            value = self._option if self._option is not None else text
            self._select[1].append((value, self._picked))
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [value for value, picked in options if picked] or [v for v, _ in options[:1]]
            self._form.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None


def read_page(page_path: str, html: str) -> tuple[list[Form], list[tuple[str, set[str]]]]:
    """The forms on a page, and its links with query parameters: (path, parameter names)."""
    reader = _PageReader(page_path)
    reader.feed(html)
    return reader.forms, reader.links


@dataclass
class Site:
    """What an admin finds on every page: the POST forms (by action, the first seen) and the
    query parameters each path is opened with (by its GET forms and the links to it)."""

    forms: dict[str, Form]
    parameters: dict[str, set[str]]


def get_routes(app) -> list[Rule]:
    """The rules of the pages and files a browser opens (not the API, not static files)."""
    return [
        rule
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if "GET" in rule.methods and not rule.rule.startswith(("/api/", "/static/"))
    ]


def visit_pages(app, world: World) -> Site:
    """Open every page as the admin (those for the signed-out, such as the sign-in page,
    signed out) and read its forms and links."""
    from tests.conftest import signed_in_client

    client = signed_in_client(app, db.session.get(User, world.user_ids["admin"]))
    site = Site({}, {})
    for rule in get_routes(app):
        url = fill(world, rule)
        response = client.get(url)
        if response.status_code in (302, 303):  # a page for those not signed in: /login
            response = app.test_client().get(url)
        if response.mimetype != "text/html":
            response.close()  # a streamed export holds its context until closed
            continue
        forms, links = read_page(url, response.get_data(as_text=True))
        for form in forms:
            if form.method == "post":
                site.forms.setdefault(form.action, form)
            else:
                site.parameters.setdefault(form.action, set()).update(form.names)
        for path, names in links:
            site.parameters.setdefault(path, set()).update(names)
    return site
