"""What we remember about fetching one source between runs, and how a result changes it.

The rules live here as pure functions so they read as a table: 2xx and 304 reset the
failure count; 410 disables the source; 429/503 wait for Retry-After; every other
failure backs off exponentially and, after ``max_failures`` in a row, disables the
source with the reason kept.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta

BACKOFF_BASE = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=24)
RETRY_AFTER_MAX = timedelta(hours=24)


@dataclass(frozen=True)
class FetchState:
    """Per-source fetch memory (stored as a Redis hash by ``SourceRepo``)."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    failures: int = 0
    next_fetch_at: datetime | None = None
    last_error: str | None = None
    last_status: int | None = None
    last_fetch_at: datetime | None = None

    def to_redis(self) -> dict[str, str]:
        """Flat string fields; ``None`` fields are left out (and deleted on save)."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.name] = value.isoformat() if isinstance(value, datetime) else str(value)
        return out

    @classmethod
    def from_redis(cls, raw: dict[bytes, bytes]) -> FetchState:
        """Read back what :meth:`to_redis` wrote; unknown fields are ignored."""
        data = {k.decode(): v.decode() for k, v in raw.items()}
        return cls(
            etag=data.get("etag"),
            last_modified=data.get("last_modified"),
            body_hash=data.get("body_hash"),
            failures=int(data.get("failures", "0")),
            next_fetch_at=_dt(data.get("next_fetch_at")),
            last_error=data.get("last_error"),
            last_status=int(data["last_status"]) if data.get("last_status") else None,
            last_fetch_at=_dt(data.get("last_fetch_at")),
        )

    def is_due(self, now: datetime) -> bool:
        """True when no back-off or Retry-After holds this source back."""
        return self.next_fetch_at is None or self.next_fetch_at <= now


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def succeeded(
    state: FetchState,
    now: datetime,
    *,
    status: int,
    etag: str | None,
    last_modified: str | None,
    body_hash: str | None,
) -> FetchState:
    """After a 2xx or 304: validators kept, failures reset."""
    return replace(
        state,
        etag=etag if status != 304 else (etag or state.etag),
        last_modified=last_modified if status != 304 else (last_modified or state.last_modified),
        body_hash=body_hash or state.body_hash,
        failures=0,
        next_fetch_at=None,
        last_error=None,
        last_status=status,
        last_fetch_at=now,
    )


def failed(
    state: FetchState,
    now: datetime,
    *,
    status: int | None,
    error: str,
    retry_after: float | None = None,
) -> FetchState:
    """After a failure: exponential back-off, at least as long as Retry-After asks."""
    failures = state.failures + 1
    wait = min(BACKOFF_BASE * 2 ** (failures - 1), BACKOFF_MAX)
    if retry_after is not None:
        wait = max(wait, min(timedelta(seconds=retry_after), RETRY_AFTER_MAX))
    return replace(
        state,
        failures=failures,
        next_fetch_at=now + wait,
        last_error=error,
        last_status=status,
        last_fetch_at=now,
    )


def disable_reason(state: FetchState, status: int | None, max_failures: int) -> str | None:
    """Why this source should stop being fetched now, or ``None`` to keep it."""
    if status == 410:
        return "HTTP 410 Gone: the publisher removed this feed"
    if state.failures >= max_failures:
        return f"{state.failures} failures in a row; last: {state.last_error}"
    return None
