"""The mails the sign-up flow sends: "confirm your address" and "you are already in".

Sent through SMTP when ``settings.smtp.host`` is set, else dropped into the Maildir outbox
(``settings.digest.outbox_dir / "maildir"``) like every other mail of a dev install.
"""

from __future__ import annotations

import asyncio
import logging
import mailbox
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib

from core.config import Settings
from core.models import utcnow

log = logging.getLogger(__name__)


def confirm_message(settings: Settings, to: str, confirm_url: str) -> EmailMessage:
    """Double opt-in: one link, valid for a few days."""
    body = (
        "Hello,\n\n"
        "Someone (hopefully you) asked to receive AIToday, the daily AI essentials,\n"
        "at this address. Confirm with this link:\n\n"
        f"{confirm_url}\n\n"
        "The link expires in 3 days. If you did not ask for this, ignore this mail:\n"
        "nothing will be sent to you.\n\n-- AIToday\n"
    )
    return _message(settings, to, "Confirm your AIToday subscription", body)


def already_message(settings: Settings, to: str, preferences_url: str) -> EmailMessage:
    """Sent instead of a confirmation when the address is already subscribed."""
    body = (
        "Hello,\n\n"
        "Someone asked to subscribe this address to AIToday. It is already subscribed,\n"
        "so nothing changed. To change what you receive or when, open your preferences:\n\n"
        f"{preferences_url}\n\n-- AIToday\n"
    )
    return _message(settings, to, "You are already subscribed to AIToday", body)


def _message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp.from_
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain="aitoday.localhost")
    msg["Auto-Submitted"] = "auto-generated"
    if settings.smtp.reply_to:
        msg["Reply-To"] = settings.smtp.reply_to
    msg.set_content(body)
    return msg


async def send(settings: Settings, msg: EmailMessage) -> None:
    """Send one mail; failures are logged (the page already answered), never raised."""
    try:
        if settings.smtp.host:
            await _send_smtp(settings, msg)
        else:
            await asyncio.to_thread(_to_maildir, settings, msg)
    except Exception as exc:
        log.warning("sign-up mail not sent: %s", type(exc).__name__)


async def _send_smtp(settings: Settings, msg: EmailMessage) -> None:
    smtp = settings.smtp
    await aiosmtplib.send(
        msg,
        hostname=smtp.host,
        port=smtp.port,
        username=smtp.username,
        password=smtp.password.get_secret_value() if smtp.password else None,
        start_tls=smtp.starttls and not smtp.use_tls,
        use_tls=smtp.use_tls,
        timeout=smtp.timeout,
    )


def _to_maildir(settings: Settings, msg: EmailMessage) -> None:
    path = settings.digest.outbox_dir / "maildir"
    path.parent.mkdir(parents=True, exist_ok=True)
    mailbox.Maildir(path, create=True).add(msg)
