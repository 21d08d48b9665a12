"""One report about one recipient, whatever relay or mailbox it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.models import StatusSource


class BounceKind(StrEnum):
    BOUNCED = "bounced"  # permanent (5.x.x): stop sending
    COMPLAINED = "complained"  # the reader called it spam: stop sending
    TRANSIENT = "transient"  # 4.x.x, mailbox full, deferred: counted, nothing changes


@dataclass(frozen=True)
class BounceEvent:
    """``address`` bounced, complained or failed for now, as ``provider`` reported it."""

    kind: BounceKind
    address: str
    source: StatusSource
    provider: str  # "ses", "mailgun", "sendgrid", "postmark", "dsn"
    event_id: str  # the provider's id, or a digest of the report: seen once
    status: str = ""  # the enhanced status code, e.g. "5.1.1"
    detail: str = ""  # the relay's diagnostic text (may name the address; scrubbed when kept)
    at: datetime | None = None  # when the relay saw it
    # Mailed reports only: the subscriber id named by the returned message's Message-ID
    # (``<edition.subscriber@host>``, bots.email.compose); None when it carries none.
    returned_id: str | None = None

    def reason(self) -> str:
        """The channel's status reason; its first word names the source (see status_source)."""
        words = [self.source.value, self.provider, self.kind.value, self.status, self.detail]
        return " ".join(w for w in words if w)[:200]


_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")


def enhanced_status(text: str) -> str:
    """The first RFC 3463 status code in ``text`` ("5.1.1"), or ""."""
    found = _STATUS.search(text or "")
    return ".".join(found.groups()) if found else ""


def kind_of_status(status: str, *, failed: bool = True) -> BounceKind | None:
    """5.x.x -> bounced, 4.x.x -> transient; 2.x.x (delivered) -> None.

    Without a code, a report that says the delivery failed counts as permanent.
    """
    if status.startswith("5"):
        return BounceKind.BOUNCED
    if status.startswith("4"):
        return BounceKind.TRANSIENT
    if status.startswith("2"):
        return None
    return BounceKind.BOUNCED if failed else BounceKind.TRANSIENT
