"""The errors every service raises: refused input, a refused actor, a stale edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ValidationError(Exception):
    """Input that breaks a rule; `errors` maps each field to a message saying what to fix."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})


class PermissionDenied(Exception):
    """The user's role or teams do not allow this; the message says why."""


@dataclass
class StaleVersion(Exception):
    """The record (a risk, a mitigation or an incident) changed since the editor loaded it.

    `record` is the record as it is now; `changes` lists what happened since the version the
    editor read (tracker.history.Change entries), so the page can show them.
    """

    record: Any
    changes: list[Any]
