"""Reports that arrive by mail: RFC 3464 DSNs and RFC 5965 (ARF) complaints.

A DSN is ``multipart/report; report-type=delivery-status`` whose ``message/delivery-status``
part holds one block about the reporting MTA, then one block per recipient
(``Original-Recipient``/``Final-Recipient``, ``Action``, ``Status``, ``Diagnostic-Code``).
``Action: failed`` with ``5.x.x`` is a bounce; ``delayed`` or ``4.x.x`` is transient.
An ARF report's ``message/feedback-report`` part names the complaint (``Feedback-Type:
abuse``) and, in ``Original-Rcpt-To`` or the returned message's ``To``, who complained.
Python's email package parses both; anything else is not a report and gives no event.

Anyone can mail the bounce mailbox, so each event also carries the subscriber id that the
returned message's Message-ID names (``<edition.subscriber@host>``, as our digests are
sent): core.bounces.apply acts only when it is the id of the address's owner.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime
from email.message import Message

from core.bounces.events import BounceEvent, BounceKind, enhanced_status, kind_of_status
from core.models import StatusSource, short_hash

PROVIDER = "dsn"
_OUR_MESSAGE_ID = re.compile(r"<[0-9a-f]+\.([A-Za-z0-9_-]+)@[^<>\s]+>")
FAILED_ACTIONS = {"failed": True, "delayed": False}  # action -> failed for good
COMPLAINT_TYPES = {"abuse", "fraud", "virus", "other"}  # not "not-spam", "auth-failure"


def parse_report(raw: bytes) -> list[BounceEvent]:
    """Every bounce, delay or complaint a mailed report states; [] for other mail."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    report_id = message.get("Message-ID", "").strip()
    report_id = report_id or hashlib.blake2b(raw, digest_size=12).hexdigest()
    at = _date(message.get("Date"))
    returned = _returned_subscriber(message)
    events: list[BounceEvent] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            events.extend(_delivery_status(part, report_id, at))
        elif kind == "message/feedback-report":
            events.extend(_feedback(message, part, report_id, at))
    return [replace(e, returned_id=returned) for e in events]


def _returned_subscriber(message: Message) -> str | None:
    """The subscriber id in the returned message's Message-ID, if it has one of ours."""
    headers = _returned_headers(message)
    found = _OUR_MESSAGE_ID.search(headers.get("Message-ID", "") if headers else "")
    return found[1] if found else None


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [b for b in payload if isinstance(b, Message)] if isinstance(payload, list) else []


def _delivery_status(part: Message, report_id: str, at: datetime | None) -> list[BounceEvent]:
    events = []
    for block in _blocks(part)[1:]:  # the first block is about the reporting MTA
        action = (block.get("Action") or "").strip().lower()
        address = _address(block.get("Original-Recipient") or block.get("Final-Recipient"))
        if action not in FAILED_ACTIONS or not address:
            continue
        detail = " ".join((block.get("Diagnostic-Code") or "").split())
        status = enhanced_status(block.get("Status") or "") or enhanced_status(detail)
        kind = kind_of_status(status, failed=FAILED_ACTIONS[action])
        if action == "delayed":
            kind = BounceKind.TRANSIENT  # a delay is never final, whatever code it carries
        if kind is None:
            continue
        event_id = short_hash(PROVIDER, report_id, address.lower(), action, size=12)
        events.append(
            BounceEvent(kind, address, StatusSource.DSN, PROVIDER, event_id, status, detail, at)
        )
    return events


def _feedback(
    message: Message, part: Message, report_id: str, at: datetime | None
) -> list[BounceEvent]:
    blocks = _blocks(part)
    fields = blocks[0] if blocks else Message()
    feedback_type = (fields.get("Feedback-Type") or "").strip().lower()
    if feedback_type not in COMPLAINT_TYPES:
        return []
    address = _address(fields.get("Original-Rcpt-To")) or _returned_to(message)
    if not address and _returned_subscriber(message) is None:
        return []  # feedback loops may redact the address; our Message-ID still names who
    event_id = short_hash(PROVIDER, report_id, address.lower(), "arf", size=12)
    return [
        BounceEvent(
            BounceKind.COMPLAINED,
            address,
            StatusSource.DSN,
            PROVIDER,
            event_id,
            "",
            feedback_type,
            at,
        )
    ]


def _returned_to(message: Message) -> str:
    """The To of the message the report returned."""
    headers = _returned_headers(message)
    return _address(headers.get("To")) if headers else ""


def _returned_headers(message: Message) -> Message | None:
    """The headers of the message the report returned (``message/rfc822`` or
    ``text/rfc822-headers``), or None."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = _blocks(part)
            if inner:
                return inner[0]
        elif kind == "text/rfc822-headers":
            return email.message_from_string(str(part.get_payload()))
    return None


def _address(value: str | None) -> str:
    """``rfc822; <a@b.example>`` or ``Name <a@b.example>`` -> ``a@b.example``."""
    if not value:
        return ""
    text = value.split(";", 1)[1] if ";" in value else value
    _, address = email.utils.parseaddr(text.strip())
    return address if "@" in address else ""


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
