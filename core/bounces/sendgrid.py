"""SendGrid Event Webhook (``POST /bounces/sendgrid``): bounces, drops, spam reports.

With the signed Event Webhook on, SendGrid sends ``X-Twilio-Email-Event-Webhook-Signature``
(base64 ECDSA P-256 / SHA-256 signature, DER) over ``timestamp + raw body``, the timestamp
in ``X-Twilio-Email-Event-Webhook-Timestamp``; the verification key it shows (base64 DER,
or PEM) goes in ``AITODAY_BOUNCES__SENDGRID_PUBLIC_KEY``. One body carries many events.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from core.bounces.events import BounceEvent, BounceKind, enhanced_status
from core.bounces.webhook import check_fresh, json_body
from core.errors import ConfigError, ForgedReport, ReportError
from core.models import StatusSource, short_hash

PROVIDER = "sendgrid"
SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature"
TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp"
MAX_EVENTS = 5000  # a SendGrid batch is at most ~768 KB; the body cap bounds it as well
DROPPED = {"Bounced Address": BounceKind.BOUNCED, "Invalid": BounceKind.BOUNCED,
           "Spam Reporting Address": BounceKind.COMPLAINED}  # fmt: skip


def public_key(text: str) -> ec.EllipticCurvePublicKey:
    """The verification key from its base64 DER (as SendGrid shows it) or PEM form."""
    try:
        if "BEGIN PUBLIC KEY" in text:
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = serialization.load_der_public_key(base64.b64decode(text.strip()))
    except (ValueError, binascii.Error):
        raise ConfigError("AITODAY_BOUNCES__SENDGRID_PUBLIC_KEY: not a public key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ConfigError("AITODAY_BOUNCES__SENDGRID_PUBLIC_KEY: not an ECDSA key")
    return key


def verify(
    key: ec.EllipticCurvePublicKey,
    signature: str | None,
    timestamp: str | None,
    body: bytes,
    *,
    now: datetime,
    max_age: int,
) -> None:
    """ForgedReport unless the signature holds over timestamp + body and is fresh."""
    if not signature or not timestamp:
        raise ForgedReport("no SendGrid signature")
    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    except (binascii.Error, ValueError, InvalidSignature):
        raise ForgedReport("bad SendGrid signature") from None
    check_fresh(timestamp, now, max_age, "SendGrid")


def events(body: bytes) -> list[BounceEvent]:
    """Bounces, blocks and deferrals (transient), drops of known-bad addresses, spam reports."""
    items = json_body(body)
    if not isinstance(items, list):
        raise ReportError("not a list of events")
    found = [_event(item) for item in items[:MAX_EVENTS] if isinstance(item, dict)]
    return [event for event in found if event is not None]


def _event(item: Mapping[str, Any]) -> BounceEvent | None:
    name, address = item.get("event"), str(item.get("email", ""))
    reason = " ".join(str(item.get("reason") or item.get("response") or "").split())
    status = enhanced_status(str(item.get("status") or "")) or enhanced_status(reason)
    kind: BounceKind | None = None
    if name == "bounce":
        blocked = item.get("type") == "blocked" or status.startswith("4")
        kind = BounceKind.TRANSIENT if blocked else BounceKind.BOUNCED
    elif name == "deferred":
        kind = BounceKind.TRANSIENT
    elif name == "spamreport":
        kind = BounceKind.COMPLAINED
    elif name == "dropped":
        kind = DROPPED.get(str(item.get("reason") or ""))
    if kind is None or "@" not in address:
        return None
    event_id = str(
        item.get("sg_event_id") or short_hash(PROVIDER, json.dumps(item, sort_keys=True))
    )
    at = _epoch(item.get("timestamp"))
    return BounceEvent(kind, address, StatusSource.WEBHOOK, PROVIDER, event_id, status, reason, at)


def _epoch(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None
