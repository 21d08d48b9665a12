"""A subscriber's "more / less like this" taps and what was learned from them.

Layout (builders in core.store.keys, feedback section)::

    feedback:events:<id>    string  JSON list of FeedbackEvent, oldest first (capped by
                                    the caller; FEEDBACK_TTL, refreshed by every change)
    feedback:learned        hash    id -> learned weights JSON (core.stories.learned),
                                    rewritten with the events in one MULTI/EXEC

The tick reads only the learned hash (HMGET in chunks), never the events: ranking
100,000 editions costs one small JSON per reader who ever tapped. What the weights are is
the domain's business (core.feedback computes them and hands this repository the text).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import redis
from pydantic import TypeAdapter

from core.models import FeedbackEvent
from core.store.base import Store
from core.store.keys import FEEDBACK_TTL

__all__ = ["FeedbackRepo"]

_EVENTS = TypeAdapter(list[FeedbackEvent])
_CHUNK = 1000
_RETRIES = 20

Change = Callable[[list[FeedbackEvent]], list[FeedbackEvent]]
Summary = Callable[[list[FeedbackEvent]], str | None]


class FeedbackRepo:
    """Reads and writes one subscriber's taps; many subscribers' learned weights."""

    def __init__(self, store: Store) -> None:
        self.redis = store.redis
        self.keys = store.keys

    def events(self, subscriber_id: str) -> list[FeedbackEvent]:
        """Their taps, oldest first (empty when none)."""
        raw = self.redis.get(self.keys.feedback_events(subscriber_id))
        return _EVENTS.validate_json(raw) if raw else []

    def update(self, subscriber_id: str, change: Change, summarize: Summary) -> list[FeedbackEvent]:
        """Apply ``change`` to their taps and store the result with ``summarize`` of it
        (None or no taps: the weights go), atomically (WATCH, retried on a race)."""
        key = self.keys.feedback_events(subscriber_id)
        for _ in range(_RETRIES):
            pipe: Any
            with self.redis.pipeline(transaction=True) as pipe:
                try:
                    pipe.watch(key)
                    raw: Any = pipe.get(key)
                    events = change(_EVENTS.validate_json(raw) if raw else [])
                    summary = summarize(events) if events else None
                    pipe.multi()
                    self.queue_write(pipe, subscriber_id, events, summary)
                    pipe.execute()
                    return events
                except redis.WatchError:
                    continue
        raise RuntimeError(f"feedback of {subscriber_id} kept changing; try again")

    def queue_write(
        self, pipe: Any, subscriber_id: str, events: list[FeedbackEvent], summary: str | None
    ) -> None:
        """Queue storing ``events`` and their ``summary`` on ``pipe`` (no read: the caller
        owns the events, as :meth:`update` and bench/feedback.py do)."""
        key = self.keys.feedback_events(subscriber_id)
        if events:
            pipe.set(key, _EVENTS.dump_json(events, exclude_defaults=True), ex=FEEDBACK_TTL)
        else:
            pipe.delete(key)
        if summary is None:
            pipe.hdel(self.keys.feedback_learned(), subscriber_id)
        else:
            pipe.hset(self.keys.feedback_learned(), subscriber_id, summary)

    def learned(self, subscriber_id: str) -> str | None:
        """Their learned weights JSON, or None."""
        raw: Any = self.redis.hget(self.keys.feedback_learned(), subscriber_id)
        return raw.decode() if raw else None

    def learned_many(self, subscriber_ids: Sequence[str]) -> dict[str, str]:
        """Learned weights JSON of those who have any (the rest are left out)."""
        found: dict[str, str] = {}
        key = self.keys.feedback_learned()
        if not self.redis.exists(key):
            return found  # nobody ever tapped: skip the reads
        for start in range(0, len(subscriber_ids), _CHUNK):
            chunk = subscriber_ids[start : start + _CHUNK]
            values: Any = self.redis.hmget(key, chunk)
            for sub_id, raw in zip(chunk, values, strict=True):
                if raw:
                    found[sub_id] = raw.decode()
        return found

    def forget(self, pipe: Any, subscriber_id: str) -> None:
        """Queue the deletion of everything about them on ``pipe`` (``users delete``)."""
        pipe.delete(self.keys.feedback_events(subscriber_id))
        pipe.hdel(self.keys.feedback_learned(), subscriber_id)

    def export(self, subscriber_id: str) -> dict[str, Any]:
        """Their taps and learned weights, JSON-ready."""
        learned = self.learned(subscriber_id)
        return {
            "events": [json.loads(e.model_dump_json()) for e in self.events(subscriber_id)],
            "learned": json.loads(learned) if learned else None,
        }
