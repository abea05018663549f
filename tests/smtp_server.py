"""A tiny SMTP server on 127.0.0.1 that records what it is sent, for the digest tests.

It speaks just enough SMTP for smtplib: EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP and
QUIT. Given an ssl.SSLContext it speaks TLS too: `tls="starttls"` offers STARTTLS (port 587
style), `tls="implicit"` starts every connection with a TLS handshake (port 465 style). Without
one it offers no STARTTLS. Recipients in `refuse` are answered 550.
"""

from __future__ import annotations

import base64
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes
    secure: bool = False

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Session:
    sender: str = ""
    recipients: list[str] = field(default_factory=list)


def _address(argument: str) -> str:
    return argument.split(":", 1)[1].strip().split()[0].strip("<>")


class _Handler(socketserver.StreamRequestHandler):
    server: FakeSMTP

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.secure = False
        if self.server.tls == "implicit" and not self.start_tls():
            return
        self.reply("220 localhost test SMTP ready")
        session = Session()
        while line := self.rfile.readline():
            # A TLS handshake sent to a plain server is not text: answer it as a bad command.
            command = line.decode(errors="replace").rstrip("\r\n")
            verb, _, argument = command.partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                offers_starttls = self.server.tls == "starttls" and not self.secure
                self.wfile.write(b"250-localhost\r\n250-AUTH PLAIN\r\n")
                self.wfile.write(b"250-STARTTLS\r\n" if offers_starttls else b"")
                self.wfile.write(b"250 8BITMIME\r\n")
            elif verb == "STARTTLS" and self.server.tls == "starttls" and not self.secure:
                self.reply("220 Ready to start TLS")
                if not self.start_tls():
                    return
                session = Session()  # RFC 3207: forget everything said before TLS
            elif verb == "AUTH":
                self.authenticate(argument)
            elif verb == "MAIL":
                session = Session(sender=_address(argument))
                self.reply("250 OK")
            elif verb == "RCPT":
                self.recipient(session, _address(argument))
            elif verb == "DATA":
                self.receive(session)
                session = Session()
            elif verb in ("RSET", "NOOP"):
                session = Session() if verb == "RSET" else session
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def start_tls(self) -> bool:
        """Wrap the connection in TLS; False (and the connection dropped) when the client
        refuses the handshake, e.g. because it does not trust the certificate."""
        try:
            self.request = self.server.context.wrap_socket(self.request, server_side=True)
        except (ssl.SSLError, OSError):
            return False
        self.rfile = self.request.makefile("rb")
        self.wfile = self.request.makefile("wb", buffering=0)
        self.secure = True
        return True

    def finish(self) -> None:
        super().finish()
        if self.secure:  # the TLS socket took the connection over from the plain one
            self.request.close()

    def authenticate(self, argument: str) -> None:
        mechanism, _, initial = argument.partition(" ")
        if mechanism.upper() != "PLAIN" or not initial:
            self.reply("504 Unrecognised authentication type")
            return
        _, user, password = base64.b64decode(initial).decode().split("\0")
        self.server.logins.append((user, password))
        self.server.secure_logins.append(self.secure)
        self.reply("235 2.7.0 Authentication successful")

    def recipient(self, session: Session, address: str) -> None:
        if address in self.server.refuse:
            self.reply("550 No such user here")
            return
        session.recipients.append(address)
        self.reply("250 OK")

    def receive(self, session: Session) -> None:
        self.reply("354 End data with <CR><LF>.<CR><LF>")
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        received = Received(session.sender, session.recipients, b"".join(lines), self.secure)
        self.server.received.append(received)
        self.reply("250 OK: queued")


class FakeSMTP(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, context: ssl.SSLContext | None = None, tls: str | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.context, self.tls = context, tls if context else None
        self.dropped_connections = 0
        self.received: list[Received] = []
        self.logins: list[tuple[str, str]] = []
        self.secure_logins: list[bool] = []
        self.refuse: set[str] = set()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request, client_address) -> None:
        # A client that hangs up mid-command (e.g. after a failed handshake) is not news; keep
        # it out of the output the tests read.
        self.dropped_connections += 1

    @property
    def port(self) -> int:
        return self.server_address[1]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
