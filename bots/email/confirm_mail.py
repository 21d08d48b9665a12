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
from core.i18n import DEFAULT_LANGUAGE, label
from core.models import utcnow

log = logging.getLogger(__name__)


def confirm_message(
    settings: Settings, to: str, confirm_url: str, lang: str = DEFAULT_LANGUAGE
) -> EmailMessage:
    """Double opt-in: one link, valid for a few days, in the language the reader chose."""
    body = label("mail_confirm_body", lang, url=confirm_url)
    return _message(settings, to, label("mail_confirm_subject", lang), body, lang)


def already_message(
    settings: Settings, to: str, preferences_url: str, lang: str = DEFAULT_LANGUAGE
) -> EmailMessage:
    """Sent instead of a confirmation when the address is already subscribed."""
    body = label("mail_already_body", lang, url=preferences_url)
    return _message(settings, to, label("mail_already_subject", lang), body, lang)


def _message(settings: Settings, to: str, subject: str, body: str, lang: str) -> EmailMessage:
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
    msg["Content-Language"] = lang  # after set_content, which clears every Content-* header
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
