"""Amazon SES bounces and complaints, delivered by SNS to ``POST /bounces/ses``.

SNS signs every message: the fields of its type, as ``name\\nvalue\\n`` in a fixed order,
signed RSA with SHA-1 (SignatureVersion 1) or SHA-256 (2) by the certificate at
``SigningCertURL``. The certificate is fetched only from an https URL on a trusted host
(``AITODAY_BOUNCES__SNS_CERT_HOSTS``, by default ``sns.<region>.amazonaws.com``), and a
message is accepted only from a topic we were told about (``AITODAY_BOUNCES__SNS_TOPIC_ARNS``):
a valid signature proves AWS sent it, not that it is our topic. A
``SubscriptionConfirmation`` that passes is confirmed by fetching its ``SubscribeURL``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import ssl
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from core.bounces.events import BounceEvent, BounceKind, kind_of_status
from core.bounces.webhook import iso_time, json_body
from core.config import BounceSettings
from core.errors import ForgedReport, ReportError, ReportUnverifiable
from core.models import StatusSource

PROVIDER = "ses"
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
}  # fmt: skip
SIGNED_FIELDS["UnsubscribeConfirmation"] = SIGNED_FIELDS["SubscriptionConfirmation"]
HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}
MAX_CERT_BYTES = 64 * 1024
_CERTS: dict[str, rsa.RSAPublicKey] = {}  # per process; SNS rotates its certificate rarely
_CERTS_KEPT = 16


def parse_envelope(body: bytes) -> dict[str, Any]:
    """The SNS message as a dict, or ReportError."""
    envelope = json_body(body)
    if not isinstance(envelope, dict) or envelope.get("Type") not in SIGNED_FIELDS:
        raise ReportError("not an SNS message")
    return envelope


def string_to_sign(envelope: Mapping[str, Any]) -> bytes:
    """What SNS signed: each signed field present, as ``name\\nvalue\\n``."""
    names = SIGNED_FIELDS[str(envelope["Type"])]
    return "".join(f"{n}\n{envelope[n]}\n" for n in names if n in envelope).encode()


def trusted_url(url: str, hosts: list[str]) -> bool:
    """An https URL (no user, no port) on a host matching one of ``hosts`` (``*`` = a label)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.username or parts.password:
        return False
    return any(_host_pattern(h).fullmatch(parts.netloc.lower()) for h in hosts)


def _host_pattern(host: str) -> re.Pattern[str]:
    return re.compile(r"[a-z0-9-]+".join(re.escape(p) for p in host.lower().split("*")))


def check_envelope(envelope: Mapping[str, Any], settings: BounceSettings, now: datetime) -> None:
    """Topic, freshness and certificate URL, before any network call; ForgedReport if off."""
    if envelope.get("TopicArn") not in settings.sns_topic_arns:
        raise ForgedReport("topic not configured in AITODAY_BOUNCES__SNS_TOPIC_ARNS")
    if str(envelope.get("SignatureVersion")) not in HASHES:
        raise ForgedReport("unknown SignatureVersion")
    if not trusted_url(str(envelope.get("SigningCertURL", "")), settings.sns_cert_hosts):
        raise ForgedReport("SigningCertURL is not an https URL on a trusted host")
    if not str(envelope.get("SigningCertURL", "")).endswith(".pem"):
        raise ForgedReport("SigningCertURL is not a .pem")
    sent = _timestamp(str(envelope.get("Timestamp", "")))
    if abs((now - sent).total_seconds()) > settings.max_age_seconds:
        raise ForgedReport("message too old (Timestamp)")


def verify_signature(envelope: Mapping[str, Any], key: rsa.RSAPublicKey) -> None:
    """ForgedReport unless ``Signature`` is the certificate's over :func:`string_to_sign`."""
    try:
        signature = base64.b64decode(str(envelope.get("Signature", "")), validate=True)
    except (binascii.Error, ValueError):
        raise ForgedReport("Signature is not base64") from None
    algorithm = HASHES[str(envelope.get("SignatureVersion"))]()
    try:
        key.verify(signature, string_to_sign(envelope), padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        raise ForgedReport("bad SNS signature") from None


async def signing_key(url: str, client: httpx.AsyncClient) -> rsa.RSAPublicKey:
    """The public key of the certificate at ``url`` (checked by :func:`check_envelope`)."""
    cached = _CERTS.get(url)
    if cached is not None:
        return cached
    pem = await _get_capped(client, url)
    try:
        key = x509.load_pem_x509_certificate(pem).public_key()
    except ValueError:
        raise ForgedReport("SigningCertURL does not hold a certificate") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ForgedReport("SNS certificate is not RSA")
    if len(_CERTS) >= _CERTS_KEPT:
        _CERTS.clear()
    _CERTS[url] = key
    return key


async def confirm_subscription(
    envelope: Mapping[str, Any], settings: BounceSettings, client: httpx.AsyncClient
) -> None:
    """Visit the ``SubscribeURL`` of a verified SubscriptionConfirmation (trusted hosts only)."""
    url = str(envelope.get("SubscribeURL", ""))
    if not trusted_url(url, settings.sns_cert_hosts):
        raise ForgedReport("SubscribeURL is not an https URL on a trusted host")
    await _get_capped(client, url)


async def _get_capped(client: httpx.AsyncClient, url: str) -> bytes:
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise ReportUnverifiable(f"{urlsplit(url).netloc} answered {response.status_code}")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_CERT_BYTES:
                    raise ForgedReport("answer too large")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        netloc = urlsplit(url).netloc
        raise ReportUnverifiable(f"cannot reach {netloc}: {type(exc).__name__}") from None
    return b"".join(chunks)


def http_client(timeout: float = 10.0) -> httpx.AsyncClient:
    """A client for certificates and confirmations: the system's CAs, no redirects."""
    return httpx.AsyncClient(
        verify=ssl.create_default_context(), timeout=timeout, follow_redirects=False
    )


def events(envelope: Mapping[str, Any]) -> list[BounceEvent]:
    """The bounces and complaints of a verified SES notification ([] for deliveries)."""
    try:
        message = json.loads(str(envelope.get("Message", "")))
    except json.JSONDecodeError:
        raise ReportError("SES Message is not JSON") from None
    if not isinstance(message, dict):
        raise ReportError("SES Message is not an object")
    kind = message.get("notificationType") or message.get("eventType")
    message_id = str(envelope.get("MessageId", ""))
    if kind == "Bounce":
        return _bounces(message.get("bounce") or {}, message_id)
    if kind == "Complaint":
        return _complaints(message.get("complaint") or {}, message_id)
    return []


def _bounces(bounce: Mapping[str, Any], message_id: str) -> list[BounceEvent]:
    permanent = bounce.get("bounceType") == "Permanent"
    at = iso_time(bounce.get("timestamp"))
    found = []
    for rcpt in _recipients(bounce.get("bouncedRecipients")):
        status = str(rcpt.get("status") or "")
        kind = BounceKind.BOUNCED if permanent else kind_of_status(status, failed=False)
        if kind is None:
            continue
        detail = " ".join(str(rcpt.get("diagnosticCode") or "").split())
        address = str(rcpt.get("emailAddress", ""))
        event_id = f"{message_id}:{address.lower()}"
        found.append(
            BounceEvent(kind, address, StatusSource.WEBHOOK, PROVIDER, event_id, status, detail, at)
        )
    return found


def _complaints(complaint: Mapping[str, Any], message_id: str) -> list[BounceEvent]:
    if complaint.get("complaintFeedbackType") == "not-spam":
        return []
    at = iso_time(complaint.get("timestamp"))
    detail = str(complaint.get("complaintFeedbackType") or "")
    return [
        BounceEvent(
            BounceKind.COMPLAINED,
            str(rcpt.get("emailAddress", "")),
            StatusSource.WEBHOOK,
            PROVIDER,
            f"{message_id}:{str(rcpt.get('emailAddress', '')).lower()}",
            "",
            detail,
            at,
        )
        for rcpt in _recipients(complaint.get("complainedRecipients"))
    ]


def _recipients(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [r for r in value if isinstance(r, dict) and "@" in str(r.get("emailAddress", ""))]


def _timestamp(value: str) -> datetime:
    found = iso_time(value)
    if found is None:
        raise ForgedReport("no valid Timestamp")
    return found
