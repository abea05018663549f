"""A tiny SMTP server on 127.0.0.1 that records what it is sent, for the digest tests.

It speaks just enough SMTP for smtplib: EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP and
QUIT. It offers no STARTTLS. Recipients in `refuse` are answered 550.
"""

from __future__ import annotations

import base64
import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

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
        self.reply("220 localhost test SMTP ready")
        session = Session()
        while line := self.rfile.readline():
            command = line.decode().rstrip("\r\n")
            verb, _, argument = command.partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250-localhost\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n")
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

    def authenticate(self, argument: str) -> None:
        mechanism, _, initial = argument.partition(" ")
        if mechanism.upper() != "PLAIN" or not initial:
            self.reply("504 Unrecognised authentication type")
            return
        _, user, password = base64.b64decode(initial).decode().split("\0")
        self.server.logins.append((user, password))
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
        self.server.received.append(Received(session.sender, session.recipients, b"".join(lines)))
        self.reply("250 OK: queued")


class FakeSMTP(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[Received] = []
        self.logins: list[tuple[str, str]] = []
        self.refuse: set[str] = set()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
