"""How a fetch result changes what we remember about a source (``core.models.FetchState``).

The rules live here as pure functions so they read as a table: 2xx and 304 reset the
failure count; 410 disables the source; 429/503 wait for Retry-After; every other
failure backs off exponentially and, after ``max_failures`` in a row, disables the
source with the reason kept.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from core.models import FetchState

BACKOFF_BASE = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=24)
RETRY_AFTER_MAX = timedelta(hours=24)


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
