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

Deleting a subscriber (:meth:`DeliveryRepo.forget`) removes their id from every marker,
batch record, dead letter and strike count; a job still running records nothing for a
subscriber who no longer exists (:meth:`DeliveryRepo.record_known`).

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

from core.models import CHANNELS, DeliveryBatch
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


# Markers of recipients whose subscriber record still exists; a deleted one leaves none.
_RECORD_KNOWN = """
local n = 0
for i = 2, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 1 then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    n = n + 1
  else
    redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
if n > 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""

# One strike per edition: a second refusal in the same edition (a retry) does not count.
_STRIKE = """
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local count, last = 0, ''
if cur then
  local sep = string.find(cur, '|', 1, true)
  count = tonumber(string.sub(cur, 1, sep - 1))
  last = string.sub(cur, sep + 1)
end
if last ~= ARGV[2] then
  count = count + 1
  redis.call('HSET', KEYS[1], ARGV[1], count .. '|' .. ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
return count
"""


@dataclass(frozen=True)
class Execution:
    """A batch job execution that registered itself (see :meth:`DeliveryRepo.start`)."""

    token: str
    edition_id: str
    channel: str
    batch_no: int

    @property
    def job_id(self) -> str:
        return f"deliver-{self.edition_id}-{self.channel}-{self.batch_no}"


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
        self._record_known = self.redis.register_script(_RECORD_KNOWN)
        self._strike = self.redis.register_script(_STRIKE)

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

    def record_known(self, edition_id: str, channel: str, markers: dict[str, str]) -> None:
        """:meth:`record`, but only for subscribers that still exist (no marker otherwise)."""
        if not markers:
            return
        args: list[Any] = [DELIVERY_TTL]
        for subscriber_id, marker in markers.items():
            args += [subscriber_id, marker]
        self._record_known(
            keys=[self.keys.delivery_markers(edition_id, channel), self.keys.subscribers()],
            args=args,
        )

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

    # -- progress of a multi-message delivery (a Slack thread) -------------------------
    def progress(self, edition_id: str, channel: str, subscriber_id: str) -> str | None:
        """How far the delivery to one recipient got (the adapter's own words), or None."""
        value = cast(
            bytes | None,
            self.redis.hget(self.keys.delivery_progress(edition_id, channel), subscriber_id),
        )
        return value.decode() if value is not None else None

    def save_progress(self, edition_id: str, channel: str, subscriber_id: str, value: str) -> None:
        """Write how far the delivery to one recipient got, right after each message."""
        key = self.keys.delivery_progress(edition_id, channel)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(key, subscriber_id, value)
        pipe.expire(key, DELIVERY_TTL)
        pipe.execute()

    # -- leases -----------------------------------------------------------------------
    def hold_lease(self, token: str, seconds: int) -> None:
        """Say that execution ``token`` is alive for ``seconds`` more."""
        self.redis.set(self.keys.delivery_lease(token), b"1", ex=max(1, seconds))

    def drop_lease(self, token: str) -> None:
        """The execution ended: its in-flight claims (if any are left) become reclaimable."""
        self.redis.delete(self.keys.delivery_lease(token))

    # -- executions (a killed worker's batch is found by cron) ---------------------------
    def start(self, token: str, batch: DeliveryBatch, seconds: int) -> None:
        """Execution ``token`` of ``batch`` begins: its lease and its entry, together."""
        entry = {"edition_id": batch.edition_id, "channel": batch.channel}
        entry["batch_no"] = str(batch.batch_no)
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self.keys.delivery_lease(token), b"1", ex=max(1, seconds))
        pipe.hset(self.keys.delivery_running(), token, json.dumps(entry, separators=(",", ":")))
        pipe.execute()

    def finish(self, token: str) -> None:
        """Execution ``token`` ended (whatever its outcome): lease and entry go."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(self.keys.delivery_lease(token))
        pipe.hdel(self.keys.delivery_running(), token)
        pipe.execute()

    def abandoned(self) -> list[Execution]:
        """Executions whose lease ran out without :meth:`finish`: their worker died."""
        raw = cast(dict[bytes, bytes], self.redis.hgetall(self.keys.delivery_running()))
        if not raw:
            return []
        tokens = [t.decode() for t in raw]
        pipe = self.redis.pipeline(transaction=False)
        for token in tokens:
            pipe.exists(self.keys.delivery_lease(token))
        dead = []
        for token, alive, value in zip(tokens, pipe.execute(), raw.values(), strict=True):
            if not alive:
                data = json.loads(value)
                dead.append(
                    Execution(token, data["edition_id"], data["channel"], int(data["batch_no"]))
                )
        return dead

    def take_over(self, token: str) -> bool:
        """Remove a dead execution's entry; True for the one caller that removed it."""
        return bool(self.redis.hdel(self.keys.delivery_running(), token))

    # -- strikes (soft refusals that become GONE when they repeat) --------------------
    def strike(self, channel: str, subscriber_id: str, edition_id: str) -> int:
        """Count a soft refusal of ``edition_id``; the editions in a row refused so far."""
        key = self.keys.delivery_strikes(channel)
        return int(self._strike(keys=[key], args=[subscriber_id, edition_id, DELIVERY_TTL]))

    def clear_strikes(self, channel: str, subscriber_ids: Sequence[str]) -> None:
        """A send went through: the refusals in a row start again from zero."""
        if subscriber_ids:
            self.redis.hdel(self.keys.delivery_strikes(channel), *subscriber_ids)

    # -- forgetting a subscriber ------------------------------------------------------
    def forget(self, subscriber_id: str) -> None:
        """Take a deleted subscriber's id out of every delivery record kept (30 days)."""
        since = time.time() - DELIVERY_TTL - 86_400
        editions = cast(
            list[bytes], self.redis.zrangebyscore(self.keys.delivery_editions(), since, "+inf")
        )
        pipe = self.redis.pipeline(transaction=False)
        for channel in CHANNELS:
            pipe.hdel(self.keys.delivery_strikes(channel), subscriber_id)
            for edition in editions:
                pipe.hdel(self.keys.delivery_markers(edition.decode(), channel), subscriber_id)
                pipe.hdel(self.keys.delivery_progress(edition.decode(), channel), subscriber_id)
        pipe_writes = len(pipe)
        records = [key for e in editions for key in self._id_records(e.decode())]
        for key in records:
            pipe.hgetall(key)  # the markers' deletes and these reads: one round trip
        replies = pipe.execute()[pipe_writes:]
        rewrite = self.redis.pipeline(transaction=False)
        for key, raw in zip(records, replies, strict=True):
            changed = _without_id(cast(dict[bytes, bytes], raw), subscriber_id)
            if changed:
                rewrite.hset(key, mapping=cast(Any, changed))
        rewrite.execute()

    def _id_records(self, edition_id: str) -> tuple[str, str]:
        """The hashes of JSON records (with "ids") an edition keeps: batches, dead letters."""
        return self.keys.delivery_batches(edition_id), self.keys.delivery_dead(edition_id)

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


def _without_id(raw: dict[bytes, bytes], subscriber_id: str) -> dict[bytes, str]:
    """The JSON records of one hash whose "ids" named ``subscriber_id``, rewritten without it."""
    changed = {}
    for field_name, value in raw.items():
        data = json.loads(value)
        if subscriber_id in data.get("ids", []):
            data["ids"] = [i for i in data["ids"] if i != subscriber_id]
            changed[field_name] = json.dumps(data, separators=(",", ":"))
    return changed
