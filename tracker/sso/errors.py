"""The ways a single sign-on can fail, each with words for the person and a line for the log."""

from __future__ import annotations


class SsoFailure(Exception):
    """A sign-in through the provider that did not succeed.

    `title` and `message` are shown to the person and say what to do; `log_detail` goes to the
    log and never holds a code, token or secret. `status` is the HTTP status of the page.
    """

    def __init__(self, kind: str, status: int, title: str, message: str, log_detail: str = ""):
        super().__init__(f"{kind}: {log_detail or title}")
        self.kind = kind
        self.status = status
        self.title = title
        self.message = message
        self.log_detail = log_detail


def _one_line(text: str) -> str:
    """Text from outside as one log line: whitespace and control characters become spaces."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def unreachable(detail: str) -> SsoFailure:
    return SsoFailure(
        "unreachable",
        502,
        "The sign-in provider cannot be reached",
        "The tracker could not talk to the company sign-in service. Try again in a few minutes; "
        "if it keeps happening, tell the tracker's administrator.",
        detail,
    )


def clock_skew(detail: str) -> SsoFailure:
    return SsoFailure(
        "clock_skew",
        502,
        "The sign-in could not be checked: clocks differ",
        "The sign-in service's answer carries a time too far from this server's clock to be "
        "trusted. Try again; if it keeps happening, ask the tracker's administrator to check "
        "the server's clock (NTP).",
        detail,
    )


def cancelled() -> SsoFailure:
    return SsoFailure(
        "cancelled",
        401,
        "Sign-in cancelled",
        "The sign-in was cancelled at the sign-in service, so you are not signed in. "
        "Start again whenever you are ready.",
        "the person cancelled at the provider (access_denied)",
    )


def refused_by_provider(error: str, description: str) -> SsoFailure:
    return SsoFailure(
        "provider_error",
        401,
        "The sign-in service refused the sign-in",
        "The sign-in service did not let you in to the tracker. If you should have access, ask "
        "the administrator of the sign-in service to assign you the tracker.",
        f"provider answered {_one_line(error)[:60]}: {_one_line(description)[:200]}",
    )


def stale_request(detail: str) -> SsoFailure:
    return SsoFailure(
        "stale_request",
        400,
        "This sign-in link is out of date",
        "This sign-in was not started from this browser, or was already used. "
        "Start again from the sign-in page.",
        detail,
    )


def untrusted_token(detail: str) -> SsoFailure:
    return SsoFailure(
        "untrusted_token",
        502,
        "The sign-in could not be verified",
        "The sign-in service's answer did not pass the tracker's checks, so you are not signed "
        "in. Try again; if it keeps happening, tell the tracker's administrator.",
        detail,
    )


def missing_email(claim_names: list[str]) -> SsoFailure:
    return SsoFailure(
        "missing_email",
        403,
        "Your sign-in did not include an email address",
        "The tracker needs your email address, and the sign-in service did not send one. Ask "
        "the administrator of the sign-in service to release the email claim (scope email) "
        "to the tracker.",
        f"the ID token has no usable email claim (claims present: {', '.join(claim_names)})",
    )


def unverified_email(email: str) -> SsoFailure:
    return SsoFailure(
        "unverified_email",
        403,
        "Your email address is not verified",
        f"The sign-in service says {email} is not verified. Verify it there, then sign in again.",
        f"email_verified is false for {email}",
    )


def deactivated(email: str) -> SsoFailure:
    return SsoFailure(
        "deactivated",
        403,
        "This account has been deactivated",
        "Your tracker account is deactivated, so the tracker does not let you in even though "
        "the sign-in service did. Ask a tracker admin to reactivate it.",
        f"{email} is deactivated",
    )


def identity_conflict(email: str) -> SsoFailure:
    return SsoFailure(
        "identity_conflict",
        403,
        "This email belongs to another sign-in",
        f"The tracker account for {email} is linked to a different identity at the sign-in "
        "service. Ask a tracker admin to check the account.",
        f"{email} is linked to another subject",
    )
