"""What every relay's webhook body must pass before its events are read: JSON, and (where
the relay signs a timestamp) a fresh one; and the ISO times the relays write. Each relay's
module keeps its own signature."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from core.errors import ForgedReport, ReportError


def json_body(body: bytes) -> Any:
    """The body decoded as JSON, or ReportError."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ReportError("not a JSON body") from None


def check_fresh(timestamp: str, now: datetime, max_age: int, relay: str) -> None:
    """ForgedReport unless ``timestamp`` (Unix seconds) is within ``max_age`` seconds of now."""
    try:
        sent = float(timestamp)
    except ValueError:
        raise ForgedReport(f"bad {relay} timestamp") from None
    if abs(now.timestamp() - sent) > max_age:
        raise ForgedReport("webhook too old (timestamp)")


def iso_time(value: Any) -> datetime | None:
    """An ISO 8601 time as a relay writes it ("Z" or an offset; none means UTC), or None."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
