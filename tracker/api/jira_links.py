"""/api/v1/…/jira-links: link Jira tickets to risks and mitigations, and unlink them."""

from __future__ import annotations

from flask import Response

from tracker.api import bodies, presenters, requests, schemas
from tracker.api.blueprint import api_user, bp
from tracker.api.mitigations import load_mitigation
from tracker.api.problems import ApiProblem
from tracker.api.risks import NOT_FOUND, load_risk
from tracker.api.spec import WRITE_PROBLEMS, operation
from tracker.jira import links
from tracker.models import Mitigation, Risk
from tracker.validation import ValidationError

ADDED = {"HTTP_201": schemas.JiraLinkOut, **NOT_FOUND, **WRITE_PROBLEMS}
REMOVED = {"HTTP_204": None, **NOT_FOUND, "HTTP_403": schemas.Problem}


def _link(item: Risk | Mitigation):
    fields = requests.body(bodies.JiraLinkCreate, schemas.JiraLinkOut)
    link = links.add_link(item, fields.get("key") or "", api_user())
    return presenters.json_response(presenters.jira_link(link), 201)


def _unlink(item: Risk | Mitigation, jira_key: str) -> Response:
    try:
        links.remove_link(item, jira_key, api_user())
    except ValidationError as exc:  # the only refusal: the ticket is not linked here
        raise ApiProblem(404, str(exc)) from None
    response = Response(status=204)
    del response.headers["Content-Type"]  # no body, so no media type
    return response


@bp.post("/risks/<key>/jira-links")
@operation("jira", json=bodies.JiraLinkCreate, responses=ADDED)
def link_risk(key: str):
    """Link a Jira ticket to a risk

    The next sync reads the ticket's state; until then its fields are empty.
    """
    return _link(load_risk(key))


@bp.delete("/risks/<key>/jira-links/<jira_key>")
@operation("jira", responses=REMOVED)
def unlink_risk(key: str, jira_key: str):
    """Unlink a Jira ticket from a risk"""
    return _unlink(load_risk(key), jira_key)


@bp.post("/mitigations/<int:mitigation_id>/jira-links")
@operation("jira", json=bodies.JiraLinkCreate, responses=ADDED)
def link_mitigation(mitigation_id: int):
    """Link a Jira ticket to a mitigation

    A mitigation that follows Jira takes its status from its tickets at the next sync.
    """
    return _link(load_mitigation(mitigation_id))


@bp.delete("/mitigations/<int:mitigation_id>/jira-links/<jira_key>")
@operation("jira", responses=REMOVED)
def unlink_mitigation(mitigation_id: int, jira_key: str):
    """Unlink a Jira ticket from a mitigation"""
    return _unlink(load_mitigation(mitigation_id), jira_key)
