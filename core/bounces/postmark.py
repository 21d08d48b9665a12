"""Postmark bounce and spam-complaint webhooks (``POST /bounces/postmark``).

Postmark does not sign webhooks. It sends the credentials written into the webhook URL
(``https://USER:PASSWORD@host/bounces/postmark``) as HTTP basic auth, which we check
against ``AITODAY_BOUNCES__POSTMARK_USERNAME``/``__POSTMARK_PASSWORD``. A secret in the
URL path would do as much but lands in every access log; basic auth does not.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from typing import Any

from core.bounces.events import BounceEvent, BounceKind, enhanced_status
from core.bounces.webhook import iso_time, json_body
from core.errors import ReportError
from core.models import StatusSource

PROVIDER = "postmark"
KINDS = {
    "HardBounce": BounceKind.BOUNCED,
    "BadEmailAddress": BounceKind.BOUNCED,
    "ManuallyDeactivated": BounceKind.BOUNCED,
    "SpamComplaint": BounceKind.COMPLAINED,
    "SoftBounce": BounceKind.TRANSIENT,
    "Transient": BounceKind.TRANSIENT,
    "DnsError": BounceKind.TRANSIENT,
    "Blocked": BounceKind.TRANSIENT,
    "SpamNotification": BounceKind.TRANSIENT,
    "Unknown": BounceKind.TRANSIENT,
}  # auto-responders, subscribe/unsubscribe requests and the like are not failures


def credentials_match(authorization: str | None, username: str, password: str) -> bool:
    """Whether an ``Authorization: Basic ...`` header carries exactly these credentials."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = f"{username}:{password}".encode()
    return hmac.compare_digest(given, expected)


def events(body: bytes) -> list[BounceEvent]:
    """The bounce or complaint of one webhook body ([] for other record types)."""
    record = json_body(body)
    if not isinstance(record, dict):
        raise ReportError("not a JSON object")
    return [event] if (event := _event(record)) is not None else []


def _event(record: Mapping[str, Any]) -> BounceEvent | None:
    record_type, address = record.get("RecordType"), str(record.get("Email", ""))
    if record_type not in ("Bounce", "SpamComplaint") or "@" not in address:
        return None
    kind = KINDS.get(str(record.get("Type", "")))
    if record_type == "SpamComplaint":
        kind = BounceKind.COMPLAINED
    if kind is None:
        return None
    detail = " ".join(str(record.get("Description") or record.get("Details") or "").split())
    status = enhanced_status(str(record.get("Details") or ""))
    event_id = f"{record_type}:{record.get('ID') or record.get('MessageID') or address.lower()}"
    at = iso_time(record.get("BouncedAt"))
    return BounceEvent(kind, address, StatusSource.WEBHOOK, PROVIDER, event_id, status, detail, at)
