"""The risks blueprint; its views live in routes.py, actions.py and import_views.py."""

from flask import Blueprint

from tracker.risks import services

bp = Blueprint("risks", __name__, url_prefix="/risks")


@bp.before_request
def reopen_expired_acceptances():
    """An expired acceptance shows as reopened on the next page load, with no scheduler."""
    services.reopen_expired_acceptances()
