"""Delivery records: one atomic marker per (edition, subscriber, channel), batches, dead letters.

A marker is one field of a Redis hash per (edition, channel), keyed by subscriber id, so a
record never holds an address. Its value is a state, optionally ``|detail``::

    (absent)            not attempted yet                       -> pending
    inflight|TOKEN      claimed by the job execution TOKEN      -> pending
    transient|REASON    failed for now; a retry job will claim  -> pending
    sent                the platform accepted it                -> final
    gone|REASON         address unusable (bounced, blocked ...)  -> final
    rejected|REASON     our payload was refused                 -> final
    skipped|REASON      channel no longer active at send time   -> final
    deferred|REASON     held back by policy (LINE quota)        -> `deliveries retry`
    failed|REASON       retries exhausted                       -> `deliveries retry`

Claiming is one Lua script: a recipient is claimed only when it has no marker, a
transient one, or an ``inflight`` one whose execution lease (a key with a short TTL the
running job refreshes) has expired, i.e. its worker died. So two executions of the same
batch never both send to one recipient while both are alive.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from core.models import DeliveryBatch
from core.store.base import Store
from core.store.keys import DELIVERY_TTL

STATES = ("sent", "gone", "rejected", "skipped", "deferred", "failed", "transient", "inflight")
FINAL = frozenset({"sent", "gone", "rejected", "skipped"})
RETRYABLE = frozenset({"failed", "deferred"})
COLUMNS = ("sent", "failed", "pending", "deferred", "gone", "rejected", "skipped")

ClaimMode = Literal["fresh", "retry"]

_CLAIM = """
local claimed = {}
local token, lease_prefix, ttl, mode = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
for i = 5, #ARGV do
  local id = ARGV[i]
  local cur = redis.call('HGET', KEYS[1], id)
  local ok = false
  if not cur then
    ok = true
  else
    local sep = string.find(cur, '|', 1, true)
    local state = cur
    local detail = ''
    if sep then
      state = string.sub(cur, 1, sep - 1)
      detail = string.sub(cur, sep + 1)
    end
    if state == 'inflight' then
      ok = detail == token or redis.call('EXISTS', lease_prefix .. detail) == 0
    elseif state == 'transient' then
      ok = true
    elseif mode == 'retry' and (state == 'failed' or state == 'deferred') then
      ok = true
    end
  end
  if ok then
    redis.call('HSET', KEYS[1], id, 'inflight|' .. token)
    claimed[#claimed + 1] = id
  end
end
redis.call('EXPIRE', KEYS[1], ttl)
return claimed
"""


@dataclass(frozen=True)
class BatchRecord:
    """A registered batch, by subscriber ids only."""

    job_id: str
    edition_id: str
    channel: str
    batch_no: int
    ids: list[str]


@dataclass(frozen=True)
class DeadLetter:
    """Why a batch (or part of it) could not be delivered."""

    job_id: str
    channel: str
    reason: str
    at: float
    ids: list[str] = field(default_factory=list)


def split_marker(value: str) -> tuple[str, str]:
    """``"gone|bounced"`` -> ``("gone", "bounced")``; ``"sent"`` -> ``("sent", "")``."""
    state, _, detail = value.partition("|")
    return state, detail


def bucket(marker: str | None) -> str:
    """The status column a marker counts in."""
    if marker is None:
        return "pending"
    state, _ = split_marker(marker)
    return "pending" if state in ("inflight", "transient") else state


class DeliveryRepo:
    """Every delivery record query in one place."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.redis = store.redis
        self.keys = store.keys
        self._claim = self.redis.register_script(_CLAIM)

    # -- batches ----------------------------------------------------------------------
    def unregistered(self, batches: Sequence[DeliveryBatch]) -> list[DeliveryBatch]:
        """The batches not registered yet (a second enqueue of a batch is a no-op)."""
        if not batches:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for batch in batches:
            pipe.hexists(self.keys.delivery_batches(batch.edition_id), batch.job_id)
        return [b for b, known in zip(batches, pipe.execute(), strict=True) if not known]

    def register(self, pipe: Any, batches: Iterable[DeliveryBatch]) -> None:
        """Add the batches' records to ``pipe`` (a transaction that also enqueues them)."""
        now = time.time()
        for batch in batches:
            key = self.keys.delivery_batches(batch.edition_id)
            record = {
                "channel": batch.channel,
                "batch_no": batch.batch_no,
                "ids": [r.subscriber_id for r in batch.recipients],
            }
            pipe.hsetnx(key, batch.job_id, json.dumps(record, separators=(",", ":")))
            pipe.expire(key, DELIVERY_TTL)
            pipe.zadd(self.keys.delivery_editions(), {batch.edition_id: now}, nx=True)

    def batches(self, edition_id: str) -> list[BatchRecord]:
        """Every registered batch of an edition, in channel and batch order."""
        raw = cast(dict[bytes, bytes], self.redis.hgetall(self.keys.delivery_batches(edition_id)))
        records = []
        for job_id, value in raw.items():
            data = json.loads(value)
            records.append(
                BatchRecord(
                    job_id=job_id.decode(),
                    edition_id=edition_id,
                    channel=data["channel"],
                    batch_no=int(data["batch_no"]),
                    ids=list(data["ids"]),
                )
            )
        return sorted(records, key=lambda r: (r.channel, r.batch_no))

    def recent_editions(self, limit: int = 10) -> list[str]:
        """Edition ids most recently fanned out, newest first."""
        ids = cast(list[bytes], self.redis.zrevrange(self.keys.delivery_editions(), 0, limit - 1))
        return [i.decode() for i in ids]

    # -- markers ----------------------------------------------------------------------
    def claim(
        self,
        edition_id: str,
        channel: str,
        subscriber_ids: Sequence[str],
        token: str,
        *,
        mode: ClaimMode = "fresh",
    ) -> list[str]:
        """Atomically mark as ``inflight|token`` those that may be sent now; return them."""
        if not subscriber_ids:
            return []
        result = self._claim(
            keys=[self.keys.delivery_markers(edition_id, channel)],
            args=[token, self.keys.delivery_lease(""), DELIVERY_TTL, mode, *subscriber_ids],
        )
        return [i.decode() if isinstance(i, bytes) else str(i) for i in result]

    def record(self, edition_id: str, channel: str, markers: dict[str, str]) -> None:
        """Write final or transient markers (subscriber id -> "state" or "state|detail")."""
        if not markers:
            return
        key = self.keys.delivery_markers(edition_id, channel)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(key, mapping=cast(Any, markers))
        pipe.expire(key, DELIVERY_TTL)
        pipe.execute()

    def markers(self, edition_id: str, channel: str) -> dict[str, str]:
        """Every marker of an edition on a channel."""
        raw = cast(
            dict[bytes, bytes], self.redis.hgetall(self.keys.delivery_markers(edition_id, channel))
        )
        return {k.decode(): v.decode() for k, v in raw.items()}

    def markers_of(
        self, edition_id: str, channel: str, subscriber_ids: Sequence[str]
    ) -> dict[str, str]:
        """The markers of these recipients (absent ones left out)."""
        if not subscriber_ids:
            return {}
        values = cast(
            list[bytes | None],
            self.redis.hmget(self.keys.delivery_markers(edition_id, channel), list(subscriber_ids)),
        )
        return {i: v.decode() for i, v in zip(subscriber_ids, values, strict=True) if v is not None}

    def marker(self, edition_id: str, channel: str, subscriber_id: str) -> str | None:
        """One recipient's marker, or None when never attempted."""
        value = cast(
            bytes | None,
            self.redis.hget(self.keys.delivery_markers(edition_id, channel), subscriber_id),
        )
        return value.decode() if value is not None else None

    # -- leases -----------------------------------------------------------------------
    def hold_lease(self, token: str, seconds: int) -> None:
        """Say that execution ``token`` is alive for ``seconds`` more."""
        self.redis.set(self.keys.delivery_lease(token), b"1", ex=max(1, seconds))

    def drop_lease(self, token: str) -> None:
        """The execution ended: its in-flight claims (if any are left) become reclaimable."""
        self.redis.delete(self.keys.delivery_lease(token))

    # -- dead letters -----------------------------------------------------------------
    def dead_letter(
        self, edition_id: str, job_id: str, channel: str, reason: str, ids: Sequence[str] = ()
    ) -> None:
        """Record why a batch (or the listed part of it) failed."""
        key = self.keys.delivery_dead(edition_id)
        value = {"channel": channel, "reason": reason, "at": time.time(), "ids": list(ids)}
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(key, job_id, json.dumps(value, separators=(",", ":")))
        pipe.expire(key, DELIVERY_TTL)
        pipe.execute()

    def dead_letters(self, edition_id: str) -> list[DeadLetter]:
        """Every dead letter of an edition."""
        raw = cast(dict[bytes, bytes], self.redis.hgetall(self.keys.delivery_dead(edition_id)))
        letters = []
        for job_id, value in raw.items():
            data = json.loads(value)
            letters.append(
                DeadLetter(
                    job_id=job_id.decode(),
                    channel=data["channel"],
                    reason=data["reason"],
                    at=float(data["at"]),
                    ids=list(data.get("ids", [])),
                )
            )
        return sorted(letters, key=lambda d: d.at)

    # -- status -----------------------------------------------------------------------
    def status(self, edition_id: str) -> dict[str, dict[str, int]]:
        """Per channel: sent / failed / pending / deferred / gone / rejected / skipped.

        Counted over the recipients of the registered batches, so a recipient never
        attempted counts as pending.
        """
        expected: dict[str, set[str]] = {}
        for record in self.batches(edition_id):
            expected.setdefault(record.channel, set()).update(record.ids)
        result: dict[str, dict[str, int]] = {}
        for channel in sorted(expected):
            markers = self.markers(edition_id, channel)
            counts = dict.fromkeys(COLUMNS, 0)
            for subscriber_id in expected[channel]:
                counts[bucket(markers.get(subscriber_id))] += 1
            result[channel] = counts
        return result

    def unfinished(self, edition_id: str, *, include_retryable: bool = True) -> list[BatchRecord]:
        """Each registered batch cut down to its recipients not in a final state."""
        markers: dict[str, dict[str, str]] = {}
        left = []
        for record in self.batches(edition_id):
            if record.channel not in markers:
                markers[record.channel] = self.markers(edition_id, record.channel)
            channel_markers = markers[record.channel]
            ids = [
                i
                for i in record.ids
                if _needs_delivery(channel_markers.get(i), include_retryable=include_retryable)
            ]
            if ids:
                left.append(
                    BatchRecord(record.job_id, edition_id, record.channel, record.batch_no, ids)
                )
        return left


def _needs_delivery(marker: str | None, *, include_retryable: bool) -> bool:
    if marker is None:
        return True
    state, _ = split_marker(marker)
    if state in ("inflight", "transient"):
        return True
    return include_retryable and state in RETRYABLE
