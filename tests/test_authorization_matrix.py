"""The authorization matrix, generated from the URL map: every route × every method it accepts
× six principals (anonymous, a viewer, a manager of the owning team, a manager of another team,
an admin, a deactivated user; by session on pages, by API token under /api/), each answered as
EXPECTED declares; and methods a URL does not accept are 405, never 5xx.

The world (tests/route_world.py) fills every URL; each write is sent with the fields of the form
that posts to it on the pages (as a browser would send them untouched), and the API's with an
empty JSON object and `If-Match: *`. A refused request must change nothing; a write that did
change something is undone before the next request.

Declaring a new route: add `("<endpoint>", "<METHOD>"): <row>` to EXPECTED for each method it
accepts, with one of the rows below or a dict of its own naming all six principals. A route
missing from EXPECTED fails `test_every_route_is_declared`, naming it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.datastructures import MultiDict

from tests.api.conftest import ApiClient
from tests.conftest import signed_in_client
from tests.route_world import (
    PRINCIPALS,
    World,
    build_world,
    changed_tables,
    database_state,
    fill,
    restore,
    snapshot,
    visit_pages,
)
from tracker.extensions import db
from tracker.models import User

LOGIN = "login"  # sent to sign in: a redirect to the sign-in page, or the API's 401
OK = "ok"  # let through to the view: any answer but 401, 403, 404, 405, 5xx or the sign-in page
EXTRA_METHODS = ("PUT", "DELETE", "PATCH")  # tried where the URL accepts none of them: 405

# Rows: what each principal gets.
PUBLIC = dict.fromkeys(PRINCIPALS, OK)
SIGNED_IN = {**PUBLIC, "anonymous": LOGIN, "deactivated": LOGIN}
MANAGERS = {**SIGNED_IN, "viewer": 403}  # any manager (of any team) and admins
OWNING_TEAM = {**MANAGERS, "manager_other": 403}  # the owning team's managers and admins
ADMINS = {**OWNING_TEAM, "manager_own": 403}
OWN_TOKEN = {**SIGNED_IN, "viewer": 404, "manager_other": 404, "admin": 404}  # its owner only
NOT_CONFIGURED = dict.fromkeys(PRINCIPALS, 404)  # single sign-on is off in the tests

EXPECTED: dict[tuple[str, str], dict[str, object]] = {
    # Dashboard, health, static files, signing in and out
    ("dashboard.home", "GET"): SIGNED_IN,
    ("main.healthz", "GET"): PUBLIC,
    ("static", "GET"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("auth.logout", "POST"): SIGNED_IN,
    ("auth.change_password", "GET"): SIGNED_IN,
    ("auth.change_password", "POST"): SIGNED_IN,
    ("sso.start", "GET"): NOT_CONFIGURED,
    ("sso.callback", "GET"): NOT_CONFIGURED,
    ("tokens.index", "GET"): SIGNED_IN,
    ("tokens.create", "POST"): SIGNED_IN,
    ("tokens.revoke", "POST"): OWN_TOKEN,
    # Administration
    ("admin.users", "GET"): ADMINS,
    ("admin.user_new", "GET"): ADMINS,
    ("admin.user_new", "POST"): ADMINS,
    ("admin.user_edit", "GET"): ADMINS,
    ("admin.user_edit", "POST"): ADMINS,
    ("admin.user_password", "POST"): ADMINS,
    ("admin.teams", "GET"): ADMINS,
    ("admin.team_new", "GET"): ADMINS,
    ("admin.team_new", "POST"): ADMINS,
    ("admin.team_detail", "GET"): ADMINS,
    ("admin.team_rename", "POST"): ADMINS,
    ("admin.team_add_member", "POST"): ADMINS,
    ("admin.team_remove_member", "POST"): ADMINS,
    ("admin.category_list", "GET"): ADMINS,
    ("admin.category_create", "POST"): ADMINS,
    ("admin.category_rename", "POST"): ADMINS,
    ("admin.category_delete", "POST"): ADMINS,
    # Risks
    ("risks.register", "GET"): SIGNED_IN,
    ("risks.detail", "GET"): SIGNED_IN,
    ("risks.export_csv", "GET"): SIGNED_IN,
    ("risks.new", "GET"): MANAGERS,
    ("risks.new", "POST"): MANAGERS,
    ("risks.import_csv", "GET"): MANAGERS,
    ("risks.import_csv", "POST"): MANAGERS,
    ("risks.edit", "GET"): OWNING_TEAM,
    ("risks.edit", "POST"): OWNING_TEAM,
    ("risks.change_status", "POST"): OWNING_TEAM,
    ("risks.review", "POST"): OWNING_TEAM,
    ("risks.archive", "POST"): ADMINS,
    ("risks.restore", "POST"): ADMINS,
    # Mitigations (a manager of another team may give a risk work for their own team)
    ("mitigations.my_teams", "GET"): SIGNED_IN,
    ("mitigations.detail", "GET"): SIGNED_IN,
    ("mitigations.export_csv", "GET"): SIGNED_IN,
    ("mitigations.new", "GET"): MANAGERS,
    ("mitigations.new", "POST"): MANAGERS,
    ("mitigations.import_csv", "GET"): MANAGERS,
    ("mitigations.import_csv", "POST"): MANAGERS,
    ("mitigations.edit", "GET"): OWNING_TEAM,
    ("mitigations.edit", "POST"): OWNING_TEAM,
    ("mitigations.move", "POST"): OWNING_TEAM,
    ("mitigations.quick_update", "POST"): OWNING_TEAM,
    # Incidents
    ("incidents.index", "GET"): SIGNED_IN,
    ("incidents.detail", "GET"): SIGNED_IN,
    ("incidents.export_csv", "GET"): SIGNED_IN,
    ("incidents.new", "GET"): MANAGERS,
    ("incidents.new", "POST"): MANAGERS,
    ("incidents.import_csv", "GET"): MANAGERS,
    ("incidents.import_csv", "POST"): MANAGERS,
    ("incidents.new_follow_up", "GET"): MANAGERS,
    ("incidents.new_follow_up", "POST"): MANAGERS,
    ("incidents.edit", "GET"): OWNING_TEAM,
    ("incidents.edit", "POST"): OWNING_TEAM,
    ("incidents.change_status", "POST"): OWNING_TEAM,
    ("incidents.link_risk", "POST"): OWNING_TEAM,
    ("incidents.unlink_risk", "POST"): OWNING_TEAM,
    # Roadmap and delivery
    ("roadmap.index", "GET"): SIGNED_IN,
    ("roadmap.delivery_page", "GET"): SIGNED_IN,
    ("roadmap.planning_page", "GET"): SIGNED_IN,
    ("roadmap.planning_export", "GET"): SIGNED_IN,
    # Jira
    ("jira.drift", "GET"): SIGNED_IN,
    ("jira.syncs", "GET"): ADMINS,
    ("jira.sync_run", "GET"): ADMINS,
    ("jira.sync_now", "POST"): ADMINS,
    ("jira.add_risk_link", "POST"): OWNING_TEAM,
    ("jira.remove_risk_link", "POST"): OWNING_TEAM,
    ("jira.add_mitigation_link", "POST"): OWNING_TEAM,
    ("jira.remove_mitigation_link", "POST"): OWNING_TEAM,
    ("jira.follow_jira", "POST"): OWNING_TEAM,
    ("jira.create_ticket", "POST"): OWNING_TEAM,
    # Weekly reviews
    ("reviews.index", "GET"): SIGNED_IN,
    ("reviews.detail", "GET"): SIGNED_IN,
    ("reviews.csv_export", "GET"): SIGNED_IN,
    ("reviews.incidents_csv", "GET"): SIGNED_IN,
    ("reviews.markdown", "GET"): SIGNED_IN,
    ("reviews.print_view", "GET"): SIGNED_IN,
    ("reviews.start", "POST"): ADMINS,
    ("reviews.decide", "POST"): ADMINS,
    ("reviews.save_notes", "POST"): ADMINS,
    ("reviews.finish", "POST"): ADMINS,
    # API (LOGIN is its 401)
    ("api.openapi", "GET"): PUBLIC,
    ("api.dashboard", "GET"): SIGNED_IN,
    ("api.delivery_figures", "GET"): SIGNED_IN,
    ("api.error_budget", "GET"): SIGNED_IN,
    ("api.roadmap", "GET"): SIGNED_IN,
    ("api.list_teams", "GET"): SIGNED_IN,
    ("api.list_sync_runs", "GET"): ADMINS,
    ("api.list_risks", "GET"): SIGNED_IN,
    ("api.get_risk", "GET"): SIGNED_IN,
    ("api.create_risk", "POST"): MANAGERS,
    ("api.update_risk", "PATCH"): OWNING_TEAM,
    ("api.link_risk", "POST"): OWNING_TEAM,
    ("api.unlink_risk", "DELETE"): OWNING_TEAM,
    ("api.add_mitigation", "POST"): MANAGERS,
    ("api.get_mitigation", "GET"): SIGNED_IN,
    ("api.update_mitigation", "PATCH"): OWNING_TEAM,
    ("api.link_mitigation", "POST"): OWNING_TEAM,
    ("api.unlink_mitigation", "DELETE"): OWNING_TEAM,
    ("api.list_incidents", "GET"): SIGNED_IN,
    ("api.get_incident", "GET"): SIGNED_IN,
    ("api.create_incident", "POST"): MANAGERS,
    ("api.update_incident", "PATCH"): OWNING_TEAM,
    ("api.link_incident_risk", "POST"): OWNING_TEAM,
    ("api.unlink_incident_risk", "DELETE"): OWNING_TEAM,
}


def observe(world: World, app, principal: str, method: str, url: str, data) -> object:
    """The outcome of one request: LOGIN, OK, or the status of a refusal or an error."""
    if url.startswith("/api/"):
        client = ApiClient(app.test_client(), world.api_tokens.get(principal))
        kwargs = {"json": data if data is not None else {}} if method in ("POST", "PATCH") else {}
        response = client.open(method, url, headers={"If-Match": "*"}, **kwargs)
    else:
        if principal == "anonymous":
            client = app.test_client()
        else:
            client = signed_in_client(app, db.session.get(User, world.user_ids[principal]))
        response = client.open(url, method=method, data=MultiDict(data or []))
    status = response.status_code
    # A streamed export holds the request's context until its body is read or closed.
    response.close()
    if status == 401 or (status in (302, 303) and _to_sign_in(response.location)):
        return LOGIN
    if status in (403, 404, 405) or status >= 500:
        return status
    return OK


def _to_sign_in(location: str) -> bool:
    # The sign-in check sends people to /login?next=…; signing out ends on a plain /login.
    parts = urlsplit(location)
    return parts.path == "/login" and "next=" in parts.query


def routes(app):
    """(rule, method) for every method of every rule but static files, HEAD and OPTIONS."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_declared(app):
    declared = set(EXPECTED)
    present = {(rule.endpoint, method): rule.rule for rule, method in routes(app)}
    missing = [
        f"{method} {rule} ({endpoint!r}, {method!r})"
        for (endpoint, method), rule in sorted(present.items())
        if (endpoint, method) not in declared
    ]
    assert not missing, (
        "These routes have no declared outcome; add each to EXPECTED in "
        "tests/test_authorization_matrix.py with the row of who may use it:\n  "
        + "\n  ".join(missing)
    )
    gone = sorted(declared - set(present))
    assert not gone, f"EXPECTED declares routes the app no longer has: {gone}"


def test_every_principal_gets_the_declared_outcome_and_a_refusal_changes_nothing(
    app, factory, clock
):
    world = build_world(factory, clock)
    forms = {action: form.fields for action, form in visit_pages(app, world).forms.items()}
    saved = snapshot()
    before = database_state()
    wrong = []
    for rule, method in routes(app):
        expected = EXPECTED.get((rule.endpoint, method))
        if expected is None:
            continue  # test_every_route_is_declared names it
        url = fill(world, rule)
        for principal in PRINCIPALS:
            outcome = observe(world, app, principal, method, url, forms.get(url))
            if outcome != expected[principal]:
                wrong.append(
                    f"{principal} {method} {url}: {outcome}, declared {expected[principal]}"
                )
            if method == "GET":
                continue
            changed = changed_tables(before, database_state())
            if changed:
                if expected[principal] != OK:
                    wrong.append(f"{principal} {method} {url} was refused but changed {changed}")
                restore(saved)
    assert not wrong, "\n".join(wrong)


def test_a_method_no_route_accepts_is_405(app, factory, clock):
    world = build_world(factory, clock)
    adapter = app.url_map.bind("localhost")
    wrong = []
    for rule in app.url_map.iter_rules():
        url = fill(world, rule)
        allowed = adapter.allowed_methods(urlsplit(url).path)
        for method in [m for m in EXTRA_METHODS if m not in allowed][:2]:
            for principal in ("anonymous", "admin"):
                outcome = observe(world, app, principal, method, url, None)
                if outcome != 405:
                    wrong.append(f"{principal} {method} {url}: {outcome}")
    assert not wrong, "\n".join(wrong)
