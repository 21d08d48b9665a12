"""The delivery job: one batch of one edition on one channel.

Guarantee (see deploy/DELIVERY-GUARANTEES.md for the per-channel detail): a recipient is
sent to at most once per (edition, subscriber, channel) unless a worker dies between the
platform accepting a send and the marker write; then the chunk that was in flight is sent
again when the batch re-runs (LINE dedupes that resend by its X-Line-Retry-Key).

What a job carries: subscriber ids only (workers.fanout.job_payload). Each recipient's
address is read from the store when its chunk is claimed, so a subscriber deleted or
unsubscribed after the fan-out gets nothing and leaves no delivery marker.

How: recipients are claimed in chunks with one atomic Lua script before sending (see
:mod:`core.store.deliveries`), each chunk's outcomes are written right after the send,
and the execution holds a short lease while it runs (a heartbeat thread renews it) so
that a second execution of the same batch takes over only what a dead one left in
flight. The execution also registers itself (DeliveryRepo.start): a worker killed
mid-batch leaves an entry whose lease runs out, and the cron's ``recover`` step
(:func:`recover_abandoned`) queues the rest of that batch again within a minute.

Imports are at module level on purpose: the worker imports this module before it forks
and runs :func:`warm_up`, which builds every channel's adapter (importing its SDK:
line-bot-sdk alone takes seconds) and compiles the renderers' templates, so each job
process starts with them loaded.

Per channel, the chunk size, the chunks in flight, the status a GONE outcome sets and the
re-send backoff are that channel's :class:`bots.base.ChannelLimits`, read through
:func:`bots.registry.limits_for`.

Settings: the worker reads them once at start (``aitoday worker`` calls
:func:`configure`) and the forked job process inherits them with the open store. A job
run by a bare ``rq worker`` (nothing configured) calls ``load_settings()`` at job start.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import redis
from rq import Callback
from rq.job import Job

from bots.base import ChannelAdapter, Outcome, OutcomeKind
from bots.registry import build_adapter, limits_for
from core.config import Settings, load_settings
from core.ingest.sources import default_sources
from core.logs import scrub
from core.metrics import incr
from core.models import CHANNELS, ChannelStatus, DeliveryBatch, Recipient
from core.store.base import Store, open_store
from core.store.deliveries import ClaimMode, DeliveryRepo
from core.store.editions import EditionRepo
from core.store.subscribers import SubscriberRepo
from core.tokens import feed_token
from workers.fanout import batch_of, job_payload, payload_ids
from workers.queues import FAILURE_TTL, RESULT_TTL, all_queues, channel_queue, job_retry

log = logging.getLogger(__name__)

# An execution's lease: renewed every third of it by a heartbeat thread and before each
# chunk, so a killed worker's batch is found (and taken over) a minute after the kill.
LEASE_SECONDS = 60
# A soft refusal (a full mailbox) is transient until it repeats in this many editions in
# a row; then the address counts as bounced (GONE).
STRIKES_TO_GONE = 3

RECORD_PATIENCE = 60.0  # seconds to keep trying to write markers after a send

_settings: Settings | None = None
_store: Store | None = None


def configure(settings: Settings, store: Store | None = None) -> None:
    """Called once by the worker at start; forked job processes inherit it."""
    global _settings, _store
    _settings = settings
    _store = store


def warm_up(store: Store) -> None:
    """Render a small edition once per channel in the worker, before any fork."""
    from core.models import Brief, Edition, EditionItem, Generator, KeyPoints, utcnow

    now = utcnow()
    brief = Brief(
        story_id="warm-up",
        headline="Warm-up",
        sources=[],
        dek="",
        key_takeaway="",
        key_points=KeyPoints(what_happened="Nothing."),
        generator=Generator(kind="extractive", prompt_version="warm-up"),
        created_at=now,
    )
    for channel in CHANNELS:
        edition = Edition(
            id="warm-up",
            channel=channel,
            language="en",
            slot=now,
            created_at=now,
            items=[EditionItem(story_id="warm-up", brief_key="warm-up")],
            briefs=[brief],
        )
        try:
            build_adapter(channel, store).render(edition)
        except Exception as exc:  # a cold start is slower, not wrong
            log.info("warm-up of %s skipped: %s", channel, scrub(repr(exc)))


def job_store() -> Store:
    """The store of this worker (opened once per process)."""
    global _store
    if _store is None:
        _store = open_store(_settings or load_settings(), shipped_sources=default_sources)
    return _store


def deliver_batch(
    batch: dict[str, Any],
    *,
    attempt: int = 0,
    mode: ClaimMode = "fresh",
    lease_seconds: int = LEASE_SECONDS,
    backoff: Sequence[float] | None = None,
    in_flight: int | None = None,
) -> dict[str, int]:
    """RQ job: deliver one batch; returns the count of each outcome.

    ``backoff`` and ``in_flight`` override the channel's ``retry.resend_backoff`` and
    ``in_flight`` limits (tests shorten the first and pin the second to 1 to place a crash).
    """
    store = job_store()
    delivery = batch_of(batch)
    if backoff is None:
        backoff = limits_for(delivery.channel).retry.resend_backoff
    run = BatchRun(store, delivery, attempt, mode, lease_seconds, tuple(backoff))
    if in_flight is not None:
        run.in_flight = max(1, in_flight)
    return run.run()


def on_batch_failure(job: Any, connection: Any, exc_type: Any, value: Any, tb: Any) -> None:
    """RQ failure callback: once no RQ retry is left, dead-letter the batch."""
    del connection, tb
    if job.retries_left:
        return
    store = job_store()
    batch = batch_of(job.args[0])
    reason = scrub(f"{getattr(exc_type, '__name__', exc_type)}: {value}")[:500]
    repo = DeliveryRepo(store)
    token = uuid.uuid4().hex
    ids = repo.claim(
        batch.edition_id, batch.channel, [r.subscriber_id for r in batch.recipients], token
    )
    repo.record(batch.edition_id, batch.channel, dict.fromkeys(ids, f"failed|{reason}"))
    repo.dead_letter(batch.edition_id, job.id, batch.channel, reason, ids)
    _count(store, batch.channel, Counter({"failed": len(ids)}))


class BatchRun:
    """One execution of a batch job."""

    def __init__(
        self,
        store: Store,
        batch: DeliveryBatch,
        attempt: int,
        mode: ClaimMode,
        lease_seconds: int,
        backoff: tuple[float, ...],
    ) -> None:
        self.store = store
        self.batch = batch
        self.attempt = attempt
        self.mode = mode
        self.lease_seconds = lease_seconds
        self.backoff = backoff
        self.repo = DeliveryRepo(store)
        self.signing_key = store.settings.signing_key()  # for each recipient's feed link
        self.token = uuid.uuid4().hex
        self.limits = limits_for(batch.channel)
        self.in_flight = self.limits.in_flight
        self.tally: Counter[str] = Counter()
        self.transient: list[tuple[Recipient, Outcome]] = []

    @property
    def job_id(self) -> str:
        return self.batch.job_id if self.attempt == 0 else f"{self.batch.job_id}-t{self.attempt}"

    def run(self) -> dict[str, int]:
        started = time.perf_counter()
        self.repo.start(self.token, self.batch, self.lease_seconds)
        heartbeat = Heartbeat(self.repo, self.token, self.lease_seconds)
        try:
            edition = EditionRepo(self.store).load_for_render(self.batch.edition_id)
            adapter: ChannelAdapter = build_adapter(self.batch.channel, self.store)
            payload = adapter.render(edition)  # once per batch, whatever its size
            asyncio.run(self._send_all(adapter, payload))
            self._schedule_transient()
        finally:
            heartbeat.stop()
            self.repo.finish(self.token)
        _count(self.store, self.batch.channel, self.tally)
        seconds = time.perf_counter() - started  # RQ keeps no finished job to read it from
        incr(self.store, "aitoday_delivery_job_seconds_total", seconds, channel=self.batch.channel)
        return dict(self.tally)

    async def _send_all(self, adapter: ChannelAdapter, payload: Any) -> None:
        """Send chunk by chunk, ``self.in_flight`` chunks at a time.

        Each sender claims a chunk, sends it and records it before taking the next, so at
        most that many chunks are ever sent but not yet recorded.
        """
        size = self.limits.send_chunk
        recipients = self.batch.recipients
        chunks = iter([recipients[i : i + size] for i in range(0, len(recipients), size)])

        async def sender() -> None:
            for chunk in chunks:  # one shared iterator: each chunk goes to one sender
                self.repo.hold_lease(self.token, self.lease_seconds)
                to = self._claim(chunk)
                if to:
                    outcomes = await self._send(adapter, payload, to)
                    self._record(to, outcomes)

        await asyncio.gather(*(sender() for _ in range(self.in_flight)))

    def _claim(self, chunk: Sequence[Recipient]) -> list[Recipient]:
        """Claim the chunk, then drop (as skipped) whoever is no longer active."""
        ids = self.repo.claim(
            self.batch.edition_id,
            self.batch.channel,
            [r.subscriber_id for r in chunk],
            self.token,
            mode=self.mode,
        )
        claimed = set(ids)
        self._follow_in_flight([r for r in chunk if r.subscriber_id not in claimed])
        current = self._current([r for r in chunk if r.subscriber_id in claimed])
        active = [current[r.subscriber_id] for r in chunk if r.subscriber_id in current]
        skipped = {i: "skipped|inactive" for i in ids if i not in current}
        # a deleted subscriber is skipped too, but keeps no marker naming them
        self.repo.record_known(self.batch.edition_id, self.batch.channel, skipped)
        self.tally["skipped"] += len(skipped)
        return active

    def _follow_in_flight(self, others: list[Recipient]) -> None:
        """Recipients another execution holds: look again once its lease could expire.

        If that execution is alive it finishes them and the follow-up finds them done;
        if its worker died, the follow-up takes them over.
        """
        if not others or self.attempt >= len(self.backoff):
            return  # no retry left to follow with: the cron's recover step covers a death
        markers = self.repo.markers_of(
            self.batch.edition_id, self.batch.channel, [r.subscriber_id for r in others]
        )
        for recipient in others:
            marker = markers.get(recipient.subscriber_id) or ""
            if marker.startswith("inflight|"):
                outcome = Outcome.transient(
                    recipient.subscriber_id, "in flight elsewhere", float(self.lease_seconds)
                )
                self.transient.append((recipient, outcome))

    def _current(self, recipients: list[Recipient]) -> dict[str, Recipient]:
        """Those whose channel is still ACTIVE, with today's address, by subscriber id.

        The job payload names ids only: the address is read here, at send time. The
        e-mail unsubscribe token is signed by the adapter when it composes the message.
        """
        wanted = {r.subscriber_id for r in recipients}
        found: dict[str, Recipient] = {}
        for subscriber in SubscriberRepo(self.store).get_many(list(wanted)):
            for sub in subscriber.channels:
                if sub.channel == self.batch.channel and sub.status == ChannelStatus.ACTIVE:
                    found[subscriber.id] = Recipient(
                        subscriber_id=subscriber.id,
                        address=sub.address,
                        feed_token=feed_token(
                            self.signing_key, subscriber.id, subscriber.feed_generation
                        ),
                    )
                    break
        return found

    async def _send(
        self, adapter: ChannelAdapter, payload: Any, to: list[Recipient]
    ) -> list[Outcome]:
        try:
            outcomes = await adapter.send(payload, to)
        except Exception as exc:  # the adapter should report per recipient; be safe
            log.warning("send raised on %s: %s", self.job_id, scrub(repr(exc)))
            reason = f"error:{type(exc).__name__}"
            return [Outcome.transient(r.subscriber_id, reason) for r in to]
        by_id = {o.subscriber_id: o for o in outcomes}
        return [
            by_id.get(r.subscriber_id) or Outcome.transient(r.subscriber_id, "no outcome")
            for r in to
        ]

    def _record(self, to: list[Recipient], outcomes: list[Outcome]) -> None:
        markers: dict[str, str] = {}
        rejected: list[tuple[str, str]] = []
        outcomes = [self._struck(o) for o in outcomes]
        for recipient, outcome in zip(to, outcomes, strict=True):
            sid = recipient.subscriber_id
            reason = scrub(outcome.reason or "")[:200].replace("|", "/")
            if outcome.kind == OutcomeKind.SENT:
                markers[sid] = "sent"
            elif outcome.kind == OutcomeKind.TRANSIENT:
                if self.attempt < len(self.backoff):
                    markers[sid] = f"transient|{reason}"
                    self.transient.append((recipient, outcome))
                else:
                    markers[sid] = f"failed|{reason}"
            else:
                markers[sid] = f"{outcome.kind.value}|{reason}"
                if outcome.kind == OutcomeKind.REJECTED:
                    rejected.append((sid, reason))
            self.tally[markers[sid].partition("|")[0]] += 1
        # The send already happened: writing its markers is worth waiting for Redis.
        # Someone deleted while we sent leaves no marker (record_known).
        _durably(lambda: self.repo.record_known(self.batch.edition_id, self.batch.channel, markers))
        sent = [sid for sid, marker in markers.items() if marker == "sent"]
        self.repo.clear_strikes(self.batch.channel, sent)
        self._mark_gone(to, outcomes)
        self._dead_letters(markers, rejected)

    def _struck(self, outcome: Outcome) -> Outcome:
        """A soft refusal counts one strike per edition; at STRIKES_TO_GONE it is GONE."""
        if not outcome.strike:
            return outcome
        count = self.repo.strike(self.batch.channel, outcome.subscriber_id, self.batch.edition_id)
        if count < STRIKES_TO_GONE:
            return outcome
        reason = f"bounced: {outcome.reason} ({count} editions in a row)"
        return Outcome.gone(outcome.subscriber_id, reason)

    def _mark_gone(self, to: list[Recipient], outcomes: list[Outcome]) -> None:
        status = self.limits.gone_status
        for recipient, outcome in zip(to, outcomes, strict=True):
            if outcome.kind == OutcomeKind.GONE:
                SubscriberRepo(self.store).set_channel_status(
                    recipient.subscriber_id, self.batch.channel, status, outcome.reason or "gone"
                )

    def _dead_letters(self, markers: dict[str, str], rejected: list[tuple[str, str]]) -> None:
        failed = [sid for sid, m in markers.items() if m.startswith("failed|")]
        if failed:
            reason = markers[failed[0]].partition("|")[2] or "transient failures"
            self.repo.dead_letter(
                self.batch.edition_id,
                self.job_id,
                self.batch.channel,
                f"retries exhausted: {reason}",
                failed,
            )
        if rejected:
            self.repo.dead_letter(
                self.batch.edition_id,
                f"{self.job_id}-rejected",
                self.batch.channel,
                f"payload rejected: {rejected[0][1]}",
                [sid for sid, _ in rejected],
            )

    def _schedule_transient(self) -> None:
        """Re-enqueue a batch of just the transient recipients, after a backoff."""
        if not self.transient:
            return
        delay = max(
            self.backoff[self.attempt],
            *(o.retry_after or 0.0 for _, o in self.transient),
        )
        retry_batch = self.batch.model_copy(update={"recipients": [r for r, _ in self.transient]})
        attempt = self.attempt + 1
        queue = channel_queue(self.store, self.batch.channel)
        job = queue.create_job(
            "workers.jobs.deliver_batch",
            args=(job_payload(retry_batch),),
            kwargs={
                "attempt": attempt,
                "mode": self.mode,
                "lease_seconds": self.lease_seconds,
                "backoff": list(self.backoff),
                "in_flight": self.in_flight,
            },
            job_id=f"{self.batch.job_id}-t{attempt}",
            retry=job_retry(self.limits.retry),
            result_ttl=RESULT_TTL,
            failure_ttl=FAILURE_TTL,
            description=f"retry {len(self.transient)} transient of {self.batch.job_id}",
            on_failure=Callback("workers.jobs.on_batch_failure"),
        )
        if delay <= 0:
            queue.enqueue_job(job)
        else:
            queue.schedule_job(job, _utc_in(delay))


def forget_subscriber(store: Store, subscriber_id: str) -> int:
    """Take a subscriber out of every waiting delivery job and every delivery record.

    Returns the jobs changed. A job's arguments name its recipients by subscriber id for
    the job's life (a failed one: FAILURE_TTL), so deleting a subscriber rewrites the
    queued, scheduled (transient retries) and failed jobs that name them, and deletes a
    job left with nobody; their markers, batch records, dead letters and strike counts go
    too. A job already running reads the store before each chunk: it skips them and
    records nothing for them (finished jobs are not kept: RESULT_TTL is 0).
    """
    DeliveryRepo(store).forget(subscriber_id)
    changed = 0
    for queue in all_queues(store):
        ids = {
            *queue.get_job_ids(),
            *queue.scheduled_job_registry.get_job_ids(),
            *queue.failed_job_registry.get_job_ids(),
        }
        for job in Job.fetch_many(sorted(ids), connection=store.redis):
            if job is not None and _drop_recipient(store, job, subscriber_id):
                changed += 1
    return changed


def _drop_recipient(store: Store, job: Job, subscriber_id: str) -> bool:
    if job.func_name != "workers.jobs.deliver_batch" or not job.args:
        return False
    payload = dict(job.args[0])
    ids = payload_ids(payload)
    if subscriber_id not in ids:
        return False
    kept = [i for i in ids if i != subscriber_id]
    if not kept:
        job.delete()
        return True
    # a payload queued before ids-only payloads loses its addresses here, too
    rest = {k: v for k, v in payload.items() if k != "recipients"}
    job.args = ({**rest, "ids": kept}, *job.args[1:])
    # Only the arguments are written: a status a worker set meanwhile is not overwritten.
    store.redis.hset(job.key, "data", zlib.compress(job.data))
    return True


class Heartbeat:
    """Renews an execution's lease from a thread while the job runs (sends included)."""

    def __init__(self, repo: DeliveryRepo, token: str, seconds: int) -> None:
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, args=(repo, token, seconds), name="lease-heartbeat", daemon=True
        )
        self._thread.start()

    def _beat(self, repo: DeliveryRepo, token: str, seconds: int) -> None:
        while not self._stopped.wait(max(0.2, seconds / 3)):
            try:
                repo.hold_lease(token, seconds)
            except redis.RedisError:  # Redis away: the next beat (or chunk) renews it
                log.warning("lease heartbeat of %s missed: Redis unreachable", token[:8])

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)


def _durably(write: Callable[[], None], patience: float = RECORD_PATIENCE) -> None:
    """Run ``write``, retrying while Redis is unreachable (a restart, a failover)."""
    deadline = time.monotonic() + patience
    pause = 0.1
    while True:
        try:
            write()
            return
        except (redis.ConnectionError, redis.TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _utc_in(seconds: float) -> Any:
    from core.models import utcnow

    return utcnow() + timedelta(seconds=seconds)


def _count(store: Store, channel: str, tally: Counter[str]) -> None:
    for outcome, amount in tally.items():
        if amount:
            incr(store, "aitoday_deliveries_total", float(amount), channel=channel, outcome=outcome)
