"""Sending digests by SMTP: one connection, over TLS from the start (port 465) or upgraded
with STARTTLS (port 587) as configured, a login when a user is set. The server's certificate
is checked against the system's trusted authorities (SSL_CERT_FILE names another bundle).
Error messages never contain the password."""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

SMTP_TIMEOUT_SECONDS = 30
SUBMISSION_PORT = 587
IMPLICIT_TLS_PORT = 465
# C0 and C1 controls, and Unicode's line and paragraph separators.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class MailError(Exception):
    """Mail cannot be sent; the message says why in one line."""


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    sender: str
    use_tls: bool
    use_ssl: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        """The MAIL_* settings; MailError when the server or the sender is missing."""
        if not config.get("MAIL_SERVER"):
            raise MailError("MAIL_SERVER is not set: set it (and MAIL_FROM) to send mail.")
        if not config.get("MAIL_FROM"):
            raise MailError("MAIL_FROM is not set: set the address digests are sent from.")
        use_ssl = bool(config.get("MAIL_USE_SSL", False))
        return cls(
            server=config["MAIL_SERVER"],
            port=int(
                config.get("MAIL_PORT") or (IMPLICIT_TLS_PORT if use_ssl else SUBMISSION_PORT)
            ),
            sender=config["MAIL_FROM"],
            # With TLS from the first byte there is nothing left for STARTTLS to upgrade.
            use_tls=bool(config.get("MAIL_USE_TLS", True)) and not use_ssl,
            use_ssl=use_ssl,
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
        )

    def scrub(self, text: str) -> str:
        """`text` with the password blanked, should a server ever echo it back."""
        return text.replace(self.password, "********") if self.password else text


def message(
    sender: str, name: str, address: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    """A message to one person: plain text, with an HTML alternative when given."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = formataddr((header_text(name), address))
    msg["Subject"] = header_text(subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def header_text(text: str) -> str:
    """`text` as one header line: line breaks and other control characters (which the email
    package refuses, and which could forge headers) become single spaces."""
    return " ".join(CONTROL.sub(" ", text).split())


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def _connect(settings: MailSettings) -> smtplib.SMTP:
    if settings.use_ssl:
        return smtplib.SMTP_SSL(
            settings.server,
            settings.port,
            timeout=SMTP_TIMEOUT_SECONDS,
            context=ssl.create_default_context(),
        )
    return smtplib.SMTP(settings.server, settings.port, timeout=SMTP_TIMEOUT_SECONDS)


def send(settings: MailSettings, messages: Iterable[EmailMessage]) -> list[tuple[str, str]]:
    """Send every message over one SMTP session; return (recipient, problem) for each refused.

    Raises MailError when the server cannot be reached, refuses TLS or the login.
    """
    refused: list[tuple[str, str]] = []
    try:
        with _connect(settings) as smtp:
            if settings.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            for msg in messages:
                try:
                    smtp.send_message(msg)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                    refused.append((msg["To"], settings.scrub(_one_line(exc))))
    except (OSError, smtplib.SMTPException) as exc:
        where = f"{settings.server}:{settings.port}"
        problem = settings.scrub(f"Could not send mail through {where}: {_one_line(exc)}")
        raise MailError(problem) from None
    return refused
