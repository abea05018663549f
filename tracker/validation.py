"""The error every service raises for input it refuses."""

from __future__ import annotations


class ValidationError(Exception):
    """Input that breaks a rule; `errors` maps each field to a message saying what to fix."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})
