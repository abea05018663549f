"""Rules for account fields, as pure functions: each returns a message or None."""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,62}[a-z0-9]$")

# The passwords credential-stuffing lists try first; refusing them costs users nothing.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "password1234",
        "passwordpassword",
        "qwertyuiopas",
        "111111111111",
        "000000000000",
        "123123123123",
        "letmeinletmein",
        "iloveyou1234",
        "administrator",
        "welcome12345",
        "changemenow!",
        "password123!",
        "qwerty123456",
        "abcdefghijkl",
    }
)


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively, so they are stored lower-cased and trimmed."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Say why `email` is not a usable address, or None."""
    if not email:
        return "Enter an email address."
    try:
        validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        return f"Enter a valid email address: {str(exc).rstrip('.')}."
    return None


def password_problem(password: str, email: str = "") -> str | None:
    """Say why `password` is too weak, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters for the password."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters for the password."
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "That password is too easy to guess; choose a less common one."
    if email and password.lower() == normalise_email(email):
        return "The password must not be the email address."
    return None


def slug_problem(slug: str) -> str | None:
    """Say why `slug` cannot identify a team, or None."""
    if not SLUG_PATTERN.match(slug):
        return (
            "Use 2 to 64 lower-case letters, digits and hyphens for the slug, "
            "starting with a letter (e.g. payments-sre)."
        )
    return None


def display_name_problem(name: str) -> str | None:
    """Why a person's or a team's name cannot be used, or None. Names go into mail headers and
    one-line lists, so they are one line without control characters."""
    if not name.strip():
        return "Enter a name."
    if len(name.strip()) > 120:
        return "Use at most 120 characters for the name."
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in name.strip()):
        return "Write the name on one line, without tabs or other control characters."
    return None
