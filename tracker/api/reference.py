"""/api/v1/teams, /api/v1/sync-runs and /api/v1/openapi.json."""

from __future__ import annotations

from flask import jsonify

from tracker.api import presenters, queries, requests, schemas
from tracker.api.blueprint import api_user, bp, no_token
from tracker.api.problems import ApiProblem
from tracker.api.spec import document, operation


@bp.get("/teams")
@operation("reference", query=schemas.PageQuery, responses={"HTTP_200": schemas.TeamPage})
def list_teams():
    """List teams

    By name; a risk's or mitigation's `team` is one of these slugs.
    """
    args = requests.query(schemas.PageQuery)
    page = queries.teams(args.page, args.per_page)
    return presenters.json_response(presenters.page_of(schemas.TeamPage, page, presenters.team))


@bp.get("/sync-runs")
@operation(
    "reference",
    query=schemas.PageQuery,
    responses={"HTTP_200": schemas.SyncRunPage, "HTTP_403": schemas.Problem},
)
def list_sync_runs():
    """List Jira sync runs

    Newest first: when each ran, what it read and changed, what failed. Admins only, as the
    Jira sync page.
    """
    if api_user().role != "admin":
        raise ApiProblem(403, "Only admins see the Jira sync runs.")
    args = requests.query(schemas.PageQuery)
    page = queries.sync_runs(args.page, args.per_page)
    return presenters.json_response(
        presenters.page_of(schemas.SyncRunPage, page, presenters.sync_run)
    )


@bp.get("/openapi.json")
@no_token
@operation("reference", public=True, responses={"HTTP_200": None})
def openapi():
    """This document

    OpenAPI 3.1, generated from the code; needs no token.
    """
    return jsonify(document())
