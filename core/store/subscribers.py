"""Subscribers in Redis: the records, the due index, address lookups and sent history.

Layout (builders in core.store.keys, subscribers section)::

    subscribers              hash    id -> Subscriber JSON (compact, defaults left out)
    subscribers:due          zset    id -> next slot, UTC epoch seconds on a minute
    subscribers:breaking     set     ids that want breaking alerts
    subscribers:addr:<ch>    hash    short_hash(normalized address) -> id (no address in clear)
    sent:<id>                zset    "e:<edition>" | "s:<story>" -> minute sent (SENT_TTL)
    bounce:addresses         hash    id -> "<status>|<source>" while the e-mail bounced or
                                     complained (core.store.bounces reads it)

One hash for all records instead of a key each saves the per-key overhead (~60 bytes);
measured by bench/subscribers.py (BENCHMARKS.md). Every write that touches a record and
its indexes runs in one MULTI/EXEC, so a reader never sees a record without its index.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from core.errors import ValidationError
from core.models import (
    Channel,
    ChannelStatus,
    Subscriber,
    next_slot,
    normalize_address,
    set_status,
    short_hash,
    status_source,
    utcnow,
)
from core.store.base import Store
from core.store.editions import EditionRepo
from core.store.feedback import FeedbackRepo
from core.store.keys import SENT_TTL, SLOT_MARKER_TTL

__all__ = ["SENT_KEEP", "SubscriberRepo", "address_digest"]

SENT_KEEP = 40  # entries remembered per subscriber: a week of digests and alerts, and more
_CHUNK = 1000

# Many keys per call (see sent_many); a single Redis, so multi-key scripts are fine.
_ZRANGE_MANY = """
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('ZRANGE', key, 0, -1) end
return out
"""
_MOVE_IF_DUE = """
local seen = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  local current = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if current and tonumber(current) <= seen then
    if ARGV[i + 1] == 'none' then
      redis.call('ZREM', KEYS[1], ARGV[i])
    else
      redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
    end
  end
end
return 1
"""
# Remember what was sent: for each KEYS[i] (a subscriber's sent history) add ARGV[i + 3]
# (an edition "e:<id>" or a story "s:<id>") at minute ARGV[1], keep the newest ARGV[3],
# expire after ARGV[2]; a key may repeat. A tick marks thousands of readers in few calls.
_MARK_SENT = """
local score, ttl, keep = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, score, ARGV[i + 3])
  redis.call('ZREMRANGEBYRANK', key, 0, -keep - 1)
  redis.call('EXPIRE', key, ttl)
end
return #KEYS
"""


def address_digest(channel: str, address: str) -> str:
    """The lookup field for an address: a digest, so Redis never holds it in clear."""
    return short_hash("address", channel, normalize_address(channel, address), size=10)


def _dump(sub: Subscriber) -> str:
    return sub.model_dump_json(exclude_defaults=True)


def _load(raw: bytes | str) -> Subscriber:
    return Subscriber.model_validate_json(raw)


def _bounce_mark(sub: Subscriber) -> str | None:
    """``"<status>|<source>"`` while the e-mail channel is bounced or complained."""
    email = next((c for c in sub.channels if c.channel == "email"), None)
    if email is None or email.status not in (ChannelStatus.BOUNCED, ChannelStatus.COMPLAINED):
        return None
    return f"{email.status.value}|{status_source(email.status_reason).value}"


def _score(instant: datetime | None) -> float | None:
    return None if instant is None else float(int(instant.timestamp()))


class SubscriberRepo:
    """Every storage query about subscribers, in one place."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # redis-py's stubs type replies as a union of every shape; we decode bytes ourselves.
        self.redis: Any = store.redis
        self.keys = store.keys

    # -- records ----------------------------------------------------------------------
    def add(self, sub: Subscriber, *, now: datetime | None = None) -> Subscriber:
        """Store a new subscriber; ValidationError when the id or an address is taken."""
        self._guarded_write(sub, new=True, now=now or utcnow())
        return sub

    def add_many(self, subs: Sequence[Subscriber], *, now: datetime | None = None) -> None:
        """Bulk import without the per-address checks (bench and trusted imports)."""
        pipe = self.redis.pipeline(transaction=False)
        for sub in subs:
            self._queue_write(pipe, sub, previous=None, now=now or utcnow())
        pipe.execute()

    def get(self, subscriber_id: str) -> Subscriber | None:
        """The subscriber, or None."""
        raw = self.redis.hget(self.keys.subscribers(), subscriber_id)
        return None if raw is None else _load(raw)

    def require(self, subscriber_id: str) -> Subscriber:
        """The subscriber; ValidationError('id') when there is none."""
        sub = self.get(subscriber_id)
        if sub is None:
            raise ValidationError("id", f"no subscriber {subscriber_id!r}")
        return sub

    def get_many(self, ids: Sequence[str]) -> list[Subscriber]:
        """Subscribers in the order asked; missing ids are left out."""
        found: list[Subscriber] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            if not chunk:
                continue
            raws = self.redis.hmget(self.keys.subscribers(), chunk)
            found.extend(_load(raw) for raw in raws if raw is not None)
        return found

    def save(self, sub: Subscriber, *, now: datetime | None = None) -> Subscriber:
        """Replace the record and re-index it (due slot, addresses, breaking) atomically."""
        self._guarded_write(sub, new=False, now=now or utcnow())
        return sub

    def _guarded_write(self, sub: Subscriber, *, new: bool, now: datetime) -> None:
        """Check the id and addresses and write, under WATCH: two sign-ups of one address
        at the same instant cannot both win, and a deleted subscriber is not revived."""
        keys = self.keys
        watched = [keys.subscribers(), *(keys.subscriber_address(c.channel) for c in sub.channels)]
        while True:
            with self.redis.pipeline(transaction=True) as pipe:
                try:
                    pipe.watch(*watched)
                    raw = pipe.hget(keys.subscribers(), sub.id)
                    if new and raw is not None:
                        raise ValidationError("id", f"subscriber {sub.id} already exists")
                    if not new and raw is None:
                        raise ValidationError("id", f"no subscriber {sub.id!r}")
                    self._check_addresses(pipe, sub)
                    pipe.multi()
                    previous = None if raw is None else _load(raw)
                    self._queue_write(pipe, sub, previous=previous, now=now)
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue

    def _check_addresses(self, client: Any, sub: Subscriber) -> None:
        for channel in sub.channels:
            field = address_digest(channel.channel, channel.address)
            owner = client.hget(self.keys.subscriber_address(channel.channel), field)
            if owner is not None and owner.decode() != sub.id:
                raise ValidationError(
                    channel.channel, "this address already belongs to another subscriber"
                )

    def _queue_write(
        self, pipe: Any, sub: Subscriber, *, previous: Subscriber | None, now: datetime
    ) -> None:
        keys = self.keys
        pipe.hset(keys.subscribers(), sub.id, _dump(sub))
        score = _score(next_slot(sub, now))
        if score is None:
            pipe.zrem(keys.subscriber_due(), sub.id)
        else:
            pipe.zadd(keys.subscriber_due(), {sub.id: score})
        if sub.breaking_alerts:
            pipe.sadd(keys.subscriber_breaking(), sub.id)
        else:
            pipe.srem(keys.subscriber_breaking(), sub.id)
        current = {(c.channel, address_digest(c.channel, c.address)) for c in sub.channels}
        if previous is not None:
            for c in previous.channels:
                old = (c.channel, address_digest(c.channel, c.address))
                if old not in current:
                    pipe.hdel(keys.subscriber_address(c.channel), old[1])
        for channel, field in current:
            pipe.hset(keys.subscriber_address(channel), field, sub.id)
        gone = _bounce_mark(sub)
        if gone is not None:
            pipe.hset(keys.bounced_addresses(), sub.id, gone)
        elif previous is not None:  # (set_channel_status passes the edited record itself)
            pipe.hdel(keys.bounced_addresses(), sub.id)

    def delete(self, subscriber_id: str) -> bool:
        """Remove the subscriber, their indexes, address lookups and sent history."""
        sub = self.get(subscriber_id)
        if sub is None:
            return False
        keys = self.keys
        pipe = self.redis.pipeline(transaction=True)
        pipe.hdel(keys.subscribers(), subscriber_id)
        pipe.zrem(keys.subscriber_due(), subscriber_id)
        pipe.srem(keys.subscriber_breaking(), subscriber_id)
        pipe.delete(keys.subscriber_sent(subscriber_id))
        pipe.hdel(keys.bounced_addresses(), subscriber_id)
        FeedbackRepo(self.store).forget(pipe, subscriber_id)
        for c in sub.channels:
            pipe.hdel(keys.subscriber_address(c.channel), address_digest(c.channel, c.address))
        pipe.execute()
        self._forget_markers(subscriber_id)
        return True

    def _marker_keys(self) -> list[str]:
        """The per-day marker and counter hashes that can still exist (they expire)."""
        today = utcnow().date()
        span = SLOT_MARKER_TTL // 86_400 + 1
        days = [(today + timedelta(days=offset)).isoformat() for offset in range(-span, 2)]
        return [
            k for day in days for k in (self.keys.slot_marker(day), self.keys.breaking_sent(day))
        ]

    def _forget_markers(self, subscriber_id: str) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for key in self._marker_keys():
            pipe.hdel(key, subscriber_id)
        pipe.execute()
        deferred = self.keys.breaking_deferred()
        prefix = f"{subscriber_id}:"
        stale = [m for m in self.redis.zrange(deferred, 0, -1) if m.decode().startswith(prefix)]
        if stale:
            self.redis.zrem(deferred, *stale)

    def recount_bounced(self) -> int:
        """Rebuild the bounced/complained address index from the records; returns its size.

        Records written before the index existed are not in it until they change.
        """
        key = self.keys.bounced_addresses()
        marks = {sub.id: mark for sub in self.iter_all() if (mark := _bounce_mark(sub))}
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(key)
        if marks:
            pipe.hset(key, mapping=marks)
        pipe.execute()
        return len(marks)

    # -- lookups ----------------------------------------------------------------------
    def by_address_id(self, channel: str, address: str) -> str | None:
        """The id of whoever holds ``address`` on ``channel``."""
        raw = self.redis.hget(
            self.keys.subscriber_address(channel), address_digest(channel, address)
        )
        return None if raw is None else raw.decode()

    def by_address(self, channel: Channel, address: str) -> Subscriber | None:
        """The subscriber who holds ``address`` on ``channel``, or None."""
        subscriber_id = self.by_address_id(channel, address)
        return None if subscriber_id is None else self.get(subscriber_id)

    def iter_all(self, batch: int = 500) -> Iterator[Subscriber]:
        """Every subscriber, in no particular order, without loading all at once."""
        for _, raw in self.redis.hscan_iter(self.keys.subscribers(), count=batch):
            yield _load(raw)

    def count(self) -> int:
        """How many subscribers there are."""
        return int(self.redis.hlen(self.keys.subscribers()))

    def any_breaking(self) -> bool:
        """Whether anyone wants breaking alerts (one EXISTS, no members read)."""
        return bool(self.redis.exists(self.keys.subscriber_breaking()))

    def breaking_ids(self) -> set[str]:
        """Ids of subscribers who want breaking alerts."""
        return {m.decode() for m in self.redis.smembers(self.keys.subscriber_breaking())}

    # -- schedule ---------------------------------------------------------------------
    def due(self, minute: datetime) -> list[str]:
        """Ids whose next slot is at or before ``minute`` (UTC), oldest first."""
        until = int(minute.timestamp())
        members = self.redis.zrangebyscore(self.keys.subscriber_due(), "-inf", until)
        return [m.decode() for m in members]

    def next_due(self, subscriber_id: str) -> datetime | None:
        """When the subscriber is next due (UTC), from the index."""
        score = self.redis.zscore(self.keys.subscriber_due(), subscriber_id)
        return None if score is None else datetime.fromtimestamp(score, UTC)

    def reschedule(self, slots: dict[str, datetime | None], *, seen: datetime) -> None:
        """Move subscribers the tick at ``seen`` found due on to their next slot.

        Only entries still due at ``seen`` move: a subscriber who changed their time
        while the tick ran was re-indexed by ``save`` and keeps that newer slot.
        """
        script = self.redis.register_script(_MOVE_IF_DUE)
        items = list(slots.items())
        for start in range(0, len(items), _CHUNK * 5):
            chunk = items[start : start + _CHUNK * 5]
            args: list[object] = [int(seen.timestamp())]
            for subscriber_id, when in chunk:
                args += [subscriber_id, _score(when) or "none"]
            script(keys=[self.keys.subscriber_due()], args=args)

    # -- channel status ---------------------------------------------------------------
    def set_channel_status(
        self,
        subscriber_id: str,
        channel: Channel,
        status: ChannelStatus | str,
        reason: str | None = None,
    ) -> Subscriber | None:
        """Set one channel's status (bounced, unsubscribed, revoked ...); None if unknown.

        Read-modify-write under WATCH so a concurrent preference change is not lost.
        """
        wanted = ChannelStatus(status)

        def change(sub: Subscriber) -> bool:
            target = next((c for c in sub.channels if c.channel == channel), None)
            if target is None:
                return False
            set_status(target, wanted, reason)
            return True

        return self._modify(subscriber_id, change)

    def _modify(
        self, subscriber_id: str, change: Callable[[Subscriber], bool]
    ) -> Subscriber | None:
        """Read a subscriber, ``change`` it in place and write it back under WATCH, so a
        concurrent preference change is not lost; None if unknown or ``change`` says no."""
        key = self.keys.subscribers()
        while True:
            with self.redis.pipeline(transaction=True) as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.hget(key, subscriber_id)
                    if raw is None:
                        return None
                    sub = _load(raw)
                    if not change(sub):
                        return None
                    pipe.multi()
                    self._queue_write(pipe, sub, previous=sub, now=utcnow())
                    pipe.execute()
                    return sub
                except redis.WatchError:
                    continue

    # -- sent history -----------------------------------------------------------------
    # Members are "e:<edition id>" (a digest or alert the subscriber was in; its stories
    # are read from the edition record) or "s:<story id>" (a story sent on its own).
    # Remembering editions rather than stories keeps a week of history ~4x smaller.

    def sent_story_ids(self, subscriber_id: str) -> set[str]:
        """Ids of the stories already sent (the last SENT_KEEP entries, within SENT_TTL)."""
        return self.sent_many([subscriber_id])[subscriber_id]

    def sent_many(self, ids: Sequence[str]) -> dict[str, set[str]]:
        """Stories already sent to many subscribers, a thousand per script call.

        One script call instead of a pipelined ZRANGE each: a tick reads ~10,000 of
        them and packing commands costs more on the client than Redis spends serving.
        """
        script = self.redis.register_script(_ZRANGE_MANY)
        members: dict[str, list[str]] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            replies = script(keys=[self.keys.subscriber_sent(i) for i in chunk])
            for subscriber_id, found in zip(chunk, replies, strict=True):
                members[subscriber_id] = [m.decode() for m in found]
        editions = {m[2:] for found in members.values() for m in found if m.startswith("e:")}
        stories = self._edition_stories(editions)
        return {
            subscriber_id: {
                story
                for m in found
                for story in (stories.get(m[2:], ()) if m[0] == "e" else (m[2:],))
            }
            for subscriber_id, found in members.items()
        }

    def _edition_stories(self, edition_ids: Iterable[str]) -> dict[str, list[str]]:
        return EditionRepo(self.store).story_ids(sorted(edition_ids))

    def mark_editions_sent(
        self, groups: Iterable[tuple[Sequence[str], str]], now: datetime
    ) -> None:
        """Remember that each group of subscribers got an edition, pipelined."""
        self._mark(
            [(sub_id, f"e:{edition_id}") for ids, edition_id in groups for sub_id in ids], now
        )

    def mark_sent(
        self, subscriber_id: str, story_ids: Iterable[str], *, now: datetime | None = None
    ) -> None:
        """Remember stories as sent so no later digest repeats them (bounded, TTL)."""
        self._mark([(subscriber_id, f"s:{s}") for s in story_ids], now or utcnow())

    def _mark(self, pairs: Sequence[tuple[str, str]], now: datetime) -> None:
        """Add each (subscriber id, entry) to that subscriber's sent history."""
        script = self.redis.register_script(_MARK_SENT)
        pipe = self.redis.pipeline(transaction=False)
        # Integer minutes keep each entry small in Redis's compact zset encoding.
        head = [int(now.timestamp()) // 60, SENT_TTL, SENT_KEEP]
        for start in range(0, len(pairs), _CHUNK):
            chunk = pairs[start : start + _CHUNK]
            keys = [self.keys.subscriber_sent(sub_id) for sub_id, _ in chunk]
            script(keys=keys, args=head + [entry for _, entry in chunk], client=pipe)
        pipe.execute()

    def sent_editions(self, subscriber_id: str, since: datetime) -> list[tuple[str, datetime]]:
        """(edition id, when sent) of the editions sent since ``since``, newest first (the
        reader's feed; at most SENT_KEEP entries are remembered)."""
        found = self.redis.zrevrangebyscore(
            self.keys.subscriber_sent(subscriber_id),
            "+inf",
            int(since.timestamp()) // 60,
            withscores=True,
        )
        return [
            (member.decode()[2:], datetime.fromtimestamp(int(score) * 60, UTC))
            for member, score in found
            if member.startswith(b"e:")
        ]

    # -- feed address -----------------------------------------------------------------
    def new_feed_address(self, subscriber_id: str) -> Subscriber | None:
        """Bump the feed generation, so every older feed URL stops working; None if unknown.

        Read-modify-write under WATCH so a concurrent preference change is not lost.
        """

        def change(sub: Subscriber) -> bool:
            sub.feed_generation += 1
            return True

        return self._modify(subscriber_id, change)

    # -- data rights ------------------------------------------------------------------
    def export(self, subscriber_id: str) -> dict[str, Any]:
        """Every datum held about the subscriber, as JSON-ready data."""
        sub = self.require(subscriber_id)
        next_due = self.next_due(subscriber_id)
        sent = self.redis.zrange(self.keys.subscriber_sent(subscriber_id), 0, -1, withscores=True)
        markers = {}
        for key in self._marker_keys():
            value = self.redis.hget(key, subscriber_id)
            if value is not None:
                markers[key.removeprefix(self.keys.prefix + ":")] = value.decode()
        return {
            "subscriber": json.loads(sub.model_dump_json()),
            "next_digest_utc": None if next_due is None else next_due.isoformat(),
            "breaking_alerts_index": self.redis.sismember(
                self.keys.subscriber_breaking(), subscriber_id
            )
            == 1,
            "address_lookups": {
                c.channel: address_digest(c.channel, c.address) for c in sub.channels
            },
            "sent": {
                m.decode(): datetime.fromtimestamp(score * 60, UTC).isoformat() for m, score in sent
            },
            "per_day_markers": markers,
            "feedback": FeedbackRepo(self.store).export(subscriber_id),
        }
