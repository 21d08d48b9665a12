"""A real SMTP server for tests: aiosmtpd in a thread on a free local port.

It accepts mail into :attr:`FakeSMTP.messages`, answers chosen recipients with a 4xx or
5xx (``refuse("a@x", 450)``), can require AUTH (``FakeSMTP(auth=("user", "pw"))``) and can
drop the connection in the middle of a batch (``drop_after(3)``: the 4th message's DATA
closes the connection without accepting it, as a crashing or overloaded server does).
A 421 answer closes the connection after the reply, as real servers do: per address
(``refuse("a@x", 421)``) or once a connection has carried N messages
(``messages_per_connection(10)``: the next MAIL FROM is answered 421, as Gmail, Outlook
and Postfix's ``smtpd_client_message_rate_limit`` do).

Use::

    with FakeSMTP().running() as smtp:
        settings = load_settings(smtp={"host": smtp.host, "port": smtp.port,
                                       "starttls": False})

``FakeSMTP(tls=self_signed_certificate(tmp_path))`` requires STARTTLS (add
``implicit_tls=True`` for TLS from the first byte); point ``SSL_CERT_FILE`` at the
certificate so the client trusts it.
        ...
        smtp.messages_to("a@example.org")        # parsed email.message.EmailMessage list
"""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.fakes.server import free_port

REPLIES = {
    421: "421 4.3.2 Service not available, closing transmission channel",
    450: "450 4.2.1 Mailbox temporarily unavailable, try again later",
    451: "451 4.3.0 Local error in processing",
    452: "452 4.2.2 Mailbox full",
    550: "550 5.1.1 No such user here",
    551: "551 5.1.6 User not local",
    552: "552 5.2.2 Mailbox full",
    553: "553 5.1.3 Mailbox name not allowed",
}


def self_signed_certificate(directory: Path) -> tuple[Path, Path] | None:
    """(cert, key) for 127.0.0.1 made with the openssl CLI; None when it is absent."""
    cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    command = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1",
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return cert, key


@dataclass
class ReceivedMail:
    """One accepted message: envelope and parsed content."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    session_id: int

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.raw)
        assert isinstance(parsed, EmailMessage)
        return parsed


class FakeSMTP:
    """An SMTP server that records what it accepts and refuses what it is told to."""

    def __init__(
        self,
        *,
        auth: tuple[str, str] | None = None,
        keep_bodies: bool = True,
        tls: tuple[Path, Path] | None = None,
        implicit_tls: bool = False,
    ) -> None:
        self.auth = auth
        # (certificate, key): STARTTLS offered and required, or TLS from the first byte
        self.tls = tls
        self.implicit_tls = implicit_tls
        # benchmarks send tens of thousands of ~20 KB digests: keep only the headers then
        self.keep_bodies = keep_bodies
        self.host = "127.0.0.1"
        self.port = 0
        self._lock = threading.Lock()
        self._messages: list[ReceivedMail] = []
        self._refusals: dict[str, int] = {}
        self._drop_after: int | None = None
        self._per_connection: int | None = None
        self._carried: dict[int, int] = {}
        self._sessions = 0
        self._session_ids: dict[int, int] = {}
        self.connections = 0
        self.logins: list[str] = []

    # -- running ------------------------------------------------------------------------
    @contextmanager
    def running(self) -> Iterator[FakeSMTP]:
        """Start the server on a free port (``port=0`` does not work with aiosmtpd)."""
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if self.auth is not None:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        if self.tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.tls)
            if self.implicit_tls:
                kwargs["ssl_context"] = context
            else:
                kwargs.update(tls_context=context, require_starttls=True)
        controller = Controller(self, hostname=self.host, port=self.port, **kwargs)
        controller.start()
        try:
            yield self
        finally:
            controller.stop()

    # -- behaviour ----------------------------------------------------------------------
    def refuse(self, address: str, code: int = 550) -> None:
        """Answer RCPT TO for ``address`` with ``code`` (450: try later, 550: no such user)."""
        with self._lock:
            self._refusals[address.lower()] = code

    def accept(self, address: str) -> None:
        """Stop refusing ``address``."""
        with self._lock:
            self._refusals.pop(address.lower(), None)

    def messages_per_connection(self, count: int | None) -> None:
        """After ``count`` messages on one connection, answer MAIL FROM 421 and hang up."""
        with self._lock:
            self._per_connection = count

    def drop_after(self, count: int | None) -> None:
        """After ``count`` more accepted messages, the next DATA drops the connection."""
        with self._lock:
            self._drop_after = None if count is None else len(self._messages) + count

    # -- inspection ---------------------------------------------------------------------
    @property
    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._messages)

    def messages_to(self, address: str) -> list[EmailMessage]:
        """Parsed messages whose envelope included ``address``."""
        wanted = address.lower()
        return [m.message for m in self.messages if wanted in (r.lower() for r in m.rcpt_tos)]

    def count_by_recipient(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for mail in self.messages:
            for rcpt in mail.rcpt_tos:
                counts[rcpt.lower()] = counts.get(rcpt.lower(), 0) + 1
        return counts

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    # -- aiosmtpd handler hooks ---------------------------------------------------------
    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        with self._lock:
            if id(session) not in self._session_ids:
                self._sessions += 1
                self.connections += 1
                self._session_ids[id(session)] = self._sessions
        session.host_name = hostname
        return responses

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        with self._lock:
            limit, carried = self._per_connection, self._carried.get(id(session), 0)
        if limit is not None and carried >= limit:
            return await _hang_up(server, REPLIES[421])
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        with self._lock:
            code = self._refusals.get(address.lower())
        if code == 421:
            return await _hang_up(server, REPLIES[421])
        if code is not None:
            return REPLIES.get(code, f"{code} refused")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            drop = self._drop_after is not None and len(self._messages) >= self._drop_after
            if drop:
                self._drop_after = None
        if drop:
            if server.transport is not None:
                server.transport.close()
            return REPLIES[421]
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode()
        if not self.keep_bodies:
            raw = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
        mail = ReceivedMail(
            mail_from=str(envelope.mail_from),
            rcpt_tos=list(envelope.rcpt_tos),
            raw=raw,
            session_id=self._session_ids.get(id(session), 0),
        )
        with self._lock:
            self._messages.append(mail)
            self._carried[id(session)] = self._carried.get(id(session), 0) + 1
        return "250 Message accepted for delivery"

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword) or self.auth is None:
            return AuthResult(success=False, handled=False)
        ok = (data.login.decode(), data.password.decode()) == self.auth
        if ok:
            with self._lock:
                self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)


async def _hang_up(server: SMTP, reply: str) -> str:
    """Send ``reply`` and close the connection (aiosmtpd's own push of it goes nowhere)."""
    await server.push(reply)
    if server.transport is not None:
        server.transport.close()
    return reply
