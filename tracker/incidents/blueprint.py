"""The incidents blueprint; its views live in routes.py and actions.py."""

from flask import Blueprint

bp = Blueprint("incidents", __name__, url_prefix="/incidents")
