"""The SMTP transport: one connection per batch, per-recipient answers mapped to outcomes.

4xx for a recipient -> TRANSIENT (try later); 5xx -> GONE (bounced: stop sending);
a 5xx for the message itself (DATA, MAIL FROM) -> REJECTED (our message or our sender is
refused: alert, do not retry). A connection lost mid-batch marks the message in flight
TRANSIENT (the server may or may not have taken it: the stable Message-ID lets providers
that de-duplicate drop a repeat), reconnects once and carries on with the rest.
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


class SMTPTransport:
    """Sends a batch over one SMTP connection (STARTTLS / TLS / AUTH from settings)."""

    def __init__(self, smtp: SMTPSettings, *, reconnects: int = 1) -> None:
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
        results: list[Outcome] = []
        remaining = list(mails)
        connections = 0
        while remaining:
            connections += 1
            client = self.client()
            try:
                await client.connect()
            except (aiosmtplib.SMTPException, OSError) as exc:
                reason = f"smtp connect failed: {_describe(exc)}"
                results += [Outcome.transient(m.subscriber_id, reason) for m in remaining]
                break
            try:
                while remaining:
                    results.append(await self._send_one(client, remaining[0]))
                    remaining.pop(0)
            except _CONNECTION_LOST as exc:
                lost = remaining.pop(0)
                reason = f"connection lost: {_describe(exc)}"
                results.append(Outcome.transient(lost.subscriber_id, reason))
                log.warning("smtp connection lost mid-batch (%s); %d left", reason, len(remaining))
                if connections > self.reconnects:
                    results += [Outcome.transient(m.subscriber_id, reason) for m in remaining]
                    break
            finally:
                await _close(client)
        return results

    async def _send_one(self, client: aiosmtplib.SMTP, mail: Envelope) -> Outcome:
        """MAIL, RCPT, DATA for one message.

        The three commands are issued here rather than through ``client.sendmail``, which
        would parse both addresses twice and scan the whole message once more only to
        compute its SIZE: composed messages already have CRLF line endings, so their
        length is their size.
        """
        if client.is_ehlo_or_helo_needed:
            await _greet(client)
        data, options = mail.data, []
        if mail.eight_bit:
            if client.supports_extension("8bitmime"):
                options.append("BODY=8BITMIME")
            elif mail.seven_bit is not None:  # RFC 6152: no 8bit data to a 7bit relay
                data = mail.seven_bit()
        if client.supports_extension("size"):
            options.append(f"SIZE={len(data)}")
        try:
            await client.mail(mail.mail_from, options=options)
            await client.rcpt(mail.rcpt)
            await client.data(data)
        except aiosmtplib.SMTPRecipientRefused as exc:
            await _reset(client)
            return _for_recipient(mail, exc.code, str(exc))
        except (aiosmtplib.SMTPDataError, aiosmtplib.SMTPSenderRefused) as exc:
            if exc.code == 421:  # "closing channel": the connection is going away
                raise aiosmtplib.SMTPServerDisconnected(exc.message) from exc
            await _reset(client)
            if 400 <= exc.code < 500:
                return Outcome.transient(mail.subscriber_id, _reply(exc.code, exc.message))
            return Outcome.rejected(mail.subscriber_id, _reply(exc.code, exc.message))
        return Outcome.sent(mail.subscriber_id)


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
    return Outcome.gone(mail.subscriber_id, f"bounced: {reason}")


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
