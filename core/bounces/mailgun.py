"""Mailgun webhooks (``POST /bounces/mailgun``): ``failed`` and ``complained`` events.

Mailgun signs each webhook: ``signature.signature`` is the hex HMAC-SHA256 of
``timestamp + token`` under the webhook signing key (``AITODAY_BOUNCES__MAILGUN_SIGNING_KEY``).
A stale timestamp is refused; a replayed token is harmless (events are applied once).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core.bounces.events import BounceEvent, BounceKind, enhanced_status
from core.bounces.webhook import check_fresh, json_body
from core.errors import ForgedReport, ReportError
from core.models import StatusSource

PROVIDER = "mailgun"


def parse(body: bytes) -> dict[str, Any]:
    """The webhook's JSON object, or ReportError."""
    payload = json_body(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("signature"), dict):
        raise ForgedReport("no signature")
    return payload


def verify(payload: Mapping[str, Any], key: str, now: datetime, max_age: int) -> None:
    """ForgedReport unless the HMAC holds and the timestamp is within ``max_age`` seconds."""
    signature = payload["signature"]
    timestamp = str(signature.get("timestamp", ""))
    token = str(signature.get("token", ""))
    given = str(signature.get("signature", ""))
    expected = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    if not given or not hmac.compare_digest(expected, given.lower()):
        raise ForgedReport("bad Mailgun signature")
    check_fresh(timestamp, now, max_age, "Mailgun")


def events(payload: Mapping[str, Any]) -> list[BounceEvent]:
    """The bounce, complaint or temporary failure the event reports ([] for others)."""
    data = payload.get("event-data")
    if not isinstance(data, dict):
        raise ReportError("no event-data")
    name, address = data.get("event"), str(data.get("recipient", ""))
    if "@" not in address:
        return []
    if name == "complained":
        kind = BounceKind.COMPLAINED
    elif name == "failed":
        permanent = data.get("severity") == "permanent"
        kind = BounceKind.BOUNCED if permanent else BounceKind.TRANSIENT
    else:
        return []
    status, detail = _delivery_status(data.get("delivery-status"))
    event_id = str(data.get("id") or payload["signature"].get("token", ""))
    at = _epoch(data.get("timestamp"))
    return [
        BounceEvent(kind, address, StatusSource.WEBHOOK, PROVIDER, event_id, status, detail, at)
    ]


def _delivery_status(value: Any) -> tuple[str, str]:
    if not isinstance(value, dict):
        return "", ""
    detail = " ".join(f"{value.get('message') or ''} {value.get('description') or ''}".split())
    status = enhanced_status(str(value.get("enhanced-code") or "")) or enhanced_status(detail)
    code = str(value.get("code") or "")
    if not status and code[:1] in ("4", "5"):
        status = f"{code[0]}.0.0"
    return status, detail


def _epoch(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None
