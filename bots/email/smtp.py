"""The SMTP transport: one connection per batch, per-recipient answers mapped to outcomes.

4xx for a recipient -> TRANSIENT (try later); 5xx -> GONE (bounced: stop sending), except
552 "mailbox full", a soft refusal: TRANSIENT with a strike, GONE only when it repeats
over several editions (the delivery job counts them; RFC 5321 4.5.3.1.10 asks clients to
treat a 552 to RCPT as temporary). A 5xx for the message itself (DATA, MAIL FROM) ->
REJECTED (our message or our sender is refused: alert, do not retry).

A 421 ("closing channel": too many messages on this connection, overload) means nothing
was accepted: the transport reconnects and carries on with the same message, so one 421
never delays the healthy recipients after it. The message that met a 421 is tried once
more on the new connection; a second 421 for it makes it TRANSIENT. A connection lost
*during* DATA is different: the server may or may not have taken the message, so it is
TRANSIENT (the stable Message-ID lets providers that de-duplicate drop a repeat) and the
rest go on a new connection. The transport gives up (the rest TRANSIENT) after
``reconnects`` connections in a row that delivered nothing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence

import aiosmtplib

from bots.base import Outcome
from bots.email.compose import Envelope
from core.config import SMTPSettings
from core.logs import scrub

log = logging.getLogger(__name__)

_CONNECTION_LOST = (
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPTimeoutError,
    aiosmtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)
CLOSING = 421
MAILBOX_FULL = 552


class NotSent(Exception):
    """The connection went away before the message was handed over (a 421, a hang-up
    before DATA): the message can go on the next connection as if nothing happened."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SMTPTransport:
    """Sends a batch over one SMTP connection (STARTTLS / TLS / AUTH from settings)."""

    def __init__(self, smtp: SMTPSettings, *, reconnects: int = 2) -> None:
        self.smtp = smtp
        self.reconnects = reconnects

    def client(self) -> aiosmtplib.SMTP:
        smtp = self.smtp
        return aiosmtplib.SMTP(
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username,
            password=smtp.password.get_secret_value() if smtp.password else None,
            use_tls=smtp.use_tls,
            start_tls=False if smtp.use_tls else smtp.starttls,
            timeout=smtp.timeout,
        )

    async def deliver(self, mails: Sequence[Envelope]) -> list[Outcome]:
        """One Outcome per message, in order."""
        run = _Run(list(mails))
        fruitless = 0  # connections in a row that settled no message
        while run.remaining:
            if fruitless > self.reconnects:
                run.give_up(run.last_reason or "smtp connection keeps closing")
                break
            client = self.client()
            try:
                await client.connect()
            except (aiosmtplib.SMTPException, OSError) as exc:
                run.give_up(f"smtp connect failed: {_describe(exc)}")
                break
            settled = len(run.results)
            try:
                await self._send_while_connected(client, run)
            finally:
                await _close(client)
            fruitless = 0 if len(run.results) > settled else fruitless + 1
        return run.outcomes()

    async def _send_while_connected(self, client: aiosmtplib.SMTP, run: _Run) -> None:
        """Send from the front of ``run`` until it is empty or the connection goes."""
        while run.remaining:
            mail = run.remaining[0]
            try:
                outcome = await self._send_one(client, mail)
            except NotSent as exc:
                run.not_sent(mail, exc.reason)
                return
            except _CONNECTION_LOST as exc:
                reason = f"connection lost: {_describe(exc)}"
                run.settle(mail, Outcome.transient(mail.subscriber_id, reason))
                log.warning("smtp connection lost in DATA (%s); %d left", reason, len(run))
                return
            run.settle(mail, outcome)
            if not client.is_connected:  # e.g. closed after a reply: go on a new one
                return

    async def _send_one(self, client: aiosmtplib.SMTP, mail: Envelope) -> Outcome:
        """MAIL, RCPT, DATA for one message.

        The three commands are issued here rather than through ``client.sendmail``, which
        would parse both addresses twice and scan the whole message once more only to
        compute its SIZE: composed messages already have CRLF line endings, so their
        length is their size.
        """
        data, options = await self._envelope_options(client, mail)
        try:
            await client.mail(mail.mail_from, options=options)
            await client.rcpt(mail.rcpt)
        except aiosmtplib.SMTPRecipientRefused as exc:
            _raise_if_closing(exc)
            await _reset(client)
            return _for_recipient(mail, exc.code, str(exc))
        except aiosmtplib.SMTPSenderRefused as exc:
            _raise_if_closing(exc)
            await _reset(client)
            return _for_message(mail, exc.code, exc.message)
        except _CONNECTION_LOST as exc:  # nothing handed over yet
            raise NotSent(f"connection lost before DATA: {_describe(exc)}") from exc
        try:
            await client.data(data)
        except aiosmtplib.SMTPDataError as exc:
            _raise_if_closing(exc)  # a 421 reply to the data: not accepted
            await _reset(client)
            if exc.code == MAILBOX_FULL and "5.2.2" in exc.message:
                return _for_recipient(mail, exc.code, exc.message)
            return _for_message(mail, exc.code, exc.message)
        return Outcome.sent(mail.subscriber_id)

    async def _envelope_options(
        self, client: aiosmtplib.SMTP, mail: Envelope
    ) -> tuple[bytes, list[str]]:
        """Greet if needed; the data to send and the MAIL FROM options the server takes."""
        if client.is_ehlo_or_helo_needed:
            try:
                await _greet(client)
            except (*_CONNECTION_LOST, aiosmtplib.SMTPResponseException) as exc:
                raise NotSent(f"greeting failed: {_describe(exc)}") from exc
        data, options = mail.data, []
        if mail.eight_bit:
            if client.supports_extension("8bitmime"):
                options.append("BODY=8BITMIME")
            elif mail.seven_bit is not None:  # RFC 6152: no 8bit data to a 7bit relay
                data = mail.seven_bit()
        if client.supports_extension("size"):
            options.append(f"SIZE={len(data)}")
        return data, options


class _Run:
    """The messages of one ``deliver`` call: what is left, what is settled."""

    def __init__(self, mails: list[Envelope]) -> None:
        self.mails = mails
        self.remaining = list(mails)
        self.results: dict[int, Outcome] = {}
        self.closed_on: set[int] = set()  # messages that met a 421 once already
        self.last_reason = ""

    def __len__(self) -> int:
        return len(self.remaining)

    def settle(self, mail: Envelope, outcome: Outcome) -> None:
        self.results[id(mail)] = outcome
        self.remaining.pop(0)

    def not_sent(self, mail: Envelope, reason: str) -> None:
        """The connection closed before ``mail`` went: once more on the next, then later."""
        self.last_reason = reason
        if id(mail) in self.closed_on:
            self.settle(mail, Outcome.transient(mail.subscriber_id, reason))
        else:
            self.closed_on.add(id(mail))
        log.info("smtp connection closed (%s); %d left, reconnecting", reason, len(self))

    def give_up(self, reason: str) -> None:
        for mail in self.remaining:
            self.results[id(mail)] = Outcome.transient(mail.subscriber_id, reason)
        self.remaining = []

    def outcomes(self) -> list[Outcome]:
        return [self.results[id(mail)] for mail in self.mails]


def _raise_if_closing(exc: aiosmtplib.SMTPResponseException) -> None:
    if exc.code == CLOSING:  # the server refuses nothing in particular: it is leaving
        raise NotSent(_reply(exc.code, exc.message)) from exc


async def _greet(client: aiosmtplib.SMTP) -> None:
    """EHLO, or HELO for a server that knows no ESMTP."""
    try:
        await client.ehlo()
    except aiosmtplib.SMTPHeloError:
        if not client.is_connected:
            raise
        await client.helo()


async def _reset(client: aiosmtplib.SMTP) -> None:
    """RSET after a refused command, so the next message starts a clean envelope."""
    # a dead connection shows on the next command, where it is handled
    with contextlib.suppress(aiosmtplib.SMTPResponseException, ConnectionError):
        await client.rset()


def _for_recipient(mail: Envelope, code: int, message: str) -> Outcome:
    reason = _reply(code, message)
    if 400 <= code < 500:
        return Outcome.transient(mail.subscriber_id, reason)
    if code == MAILBOX_FULL:
        return Outcome.soft_refusal(mail.subscriber_id, f"mailbox full: {reason}")
    return Outcome.gone(mail.subscriber_id, f"bounced: {reason}")


def _for_message(mail: Envelope, code: int, message: str) -> Outcome:
    if 400 <= code < 500:
        return Outcome.transient(mail.subscriber_id, _reply(code, message))
    return Outcome.rejected(mail.subscriber_id, _reply(code, message))


def _reply(code: int, message: str) -> str:
    # servers echo the address back ("<a@b>: no such user"): never keep it in a record
    return scrub(f"{code} {message}")[:200]


def _describe(exc: BaseException) -> str:
    return scrub(f"{type(exc).__name__}: {exc}")[:200]


async def _close(client: aiosmtplib.SMTP) -> None:
    if not client.is_connected:
        return
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError):
        client.close()
