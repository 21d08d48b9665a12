"""The fetch-state rules and header parsing, as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.ingest import state as rules
from core.ingest.fetch import retry_after
from core.models import FetchState

NOW = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)


def test_retry_after_seconds_and_http_dates() -> None:
    assert retry_after("120") == 120.0
    assert retry_after("Sat, 22 Aug 2026 12:05:00 GMT", now=NOW) == 300.0
    assert retry_after("Sat, 22 Aug 2026 11:00:00 GMT", now=NOW) == 0.0
    assert retry_after("soon") is None
    assert retry_after(None) is None


def test_backoff_doubles_up_to_a_day_and_respects_retry_after() -> None:
    state = FetchState()
    waits = []
    for _ in range(10):
        state = rules.failed(state, NOW, status=500, error="HTTP 500")
        assert state.next_fetch_at is not None
        waits.append(state.next_fetch_at - NOW)
    assert waits[:3] == [timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1)]
    assert waits[-1] == timedelta(hours=24)
    limited = rules.failed(FetchState(), NOW, status=429, error="HTTP 429", retry_after=7200)
    assert limited.next_fetch_at == NOW + timedelta(hours=2)


def test_success_resets_and_keeps_validators_on_304() -> None:
    failing = FetchState(etag='"a"', failures=3, last_error="x", next_fetch_at=NOW)
    ok = rules.succeeded(failing, NOW, status=304, etag=None, last_modified=None, body_hash=None)
    assert (ok.etag, ok.failures, ok.last_error, ok.next_fetch_at) == ('"a"', 0, None, None)
    assert ok.is_due(NOW)


def test_disable_reasons() -> None:
    assert rules.disable_reason(FetchState(), 410, 8) is not None
    assert rules.disable_reason(FetchState(failures=7), 500, 8) is None
    tired = FetchState(failures=8, last_error="read timeout")
    assert rules.disable_reason(tired, None, 8) == "8 failures in a row; last: read timeout"
