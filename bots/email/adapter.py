"""The e-mail channel: render once per variant, send a batch over SMTP or into a Maildir.

The transport is chosen from settings: ``settings.smtp.host`` set -> :class:`SMTPTransport`
(one connection per batch), else :class:`MaildirTransport` writing into
``settings.digest.outbox_dir / "maildir"`` (development and the demo). Every message
carries From, To, Subject, Date, a stable Message-ID, Reply-To when configured, and
List-Unsubscribe (https and mailto) with List-Unsubscribe-Post: List-Unsubscribe=One-Click
(RFC 8058); its links are signed per recipient at send time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol

from bots.base import ChannelLimits, Outcome
from bots.email.compose import Envelope, MailTemplate
from bots.email.limits import LIMITS
from bots.email.maildir import MaildirTransport
from bots.email.render import EmailPayload, render_email
from bots.email.smtp import SMTPTransport
from core.config import Settings
from core.models import Channel, Edition, Recipient, utcnow


class MailTransport(Protocol):
    """Where composed messages go; one Outcome per message, in order."""

    async def deliver(self, mails: Sequence[Envelope]) -> list[Outcome]: ...


def default_transport(settings: Settings) -> MailTransport:
    """SMTP when a host is configured, else the Maildir outbox."""
    if settings.smtp.host:
        return SMTPTransport(settings.smtp)
    return MaildirTransport(settings.digest.outbox_dir / "maildir")


class EmailAdapter:
    """ChannelAdapter for e-mail."""

    channel: ClassVar[Channel] = "email"
    limits: ClassVar[ChannelLimits] = LIMITS

    def __init__(self, settings: Settings, transport: MailTransport | None = None) -> None:
        self.settings = settings
        self.transport = transport or default_transport(settings)
        self._signing_key = settings.signing_key()
        self._templates: dict[int, MailTemplate] = {}

    def render(self, edition: Edition) -> EmailPayload:
        """The edition's e-mail (subject, HTML, text) with link placeholders. No I/O."""
        return render_email(edition, base_url=self.settings.web.base_url)

    async def send(self, payload: EmailPayload, to: Sequence[Recipient]) -> list[Outcome]:
        """Compose each recipient's message and hand the batch to the transport."""
        template = self._template(payload)
        now = utcnow()
        outcomes: dict[int, Outcome] = {}
        mails: list[tuple[int, Envelope]] = []
        for index, recipient in enumerate(to):
            if not _plausible(recipient.address):
                outcomes[index] = Outcome.gone(recipient.subscriber_id, "invalid address")
                continue
            mails.append((index, template.compose(recipient, now)))
        delivered = await self.transport.deliver([mail for _, mail in mails])
        for (index, _), outcome in zip(mails, delivered, strict=True):
            outcomes[index] = outcome
        return [outcomes[index] for index in range(len(to))]

    def _template(self, payload: EmailPayload) -> MailTemplate:
        template = self._templates.get(id(payload))
        if template is None or template.payload is not payload:
            template = MailTemplate.build(payload, self.settings, self._signing_key)
            self._templates = {id(payload): template}
        return template


def _plausible(address: str) -> bool:
    local, at, domain = address.rpartition("@")
    return bool(at and local and "." in domain and not any(c in address for c in "\r\n <>,"))
