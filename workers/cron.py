"""The one scheduler: ingest every ``digest.ingest_minutes``, the digest tick every
``digest.tick_minutes`` and delivery recovery (batches of killed workers queued again)
every minute, in one process.

Only one cron acts at a time: each loop renews a Redis lock (SET NX with a token and a
TTL); a second cron (an overlapping deploy, a mistaken second replica) stays idle until
the holder disappears and its lock expires. What each job did last is kept in Redis
(``Keys.cron_state``) for ``aitoday status`` and so a restarted cron does not ingest
again before it is due.

Stopping: :meth:`Cron.serve` returns once ``stop`` is set, after the job that is running
finishes (``aitoday cron`` sets it on SIGTERM/SIGINT), and releases the lock. Nothing is
lost by stopping between jobs: the tick catches up on missed slots (core.editions.tick)
and batches are enqueued in the same transaction that registers them (workers.fanout).

Each step imports what it runs when it runs: ``aitoday status`` reads :func:`read_state`
here without loading ingest, clustering (numpy) or the queues.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis

from core.logs import scrub
from core.models import utcnow
from core.store.base import Store
from core.store.cron import CronRepo

log = logging.getLogger(__name__)

Step = Callable[[Store, datetime], Mapping[str, Any]]

RECOVER_EVERY = timedelta(minutes=1)


def ingest_step(store: Store, at: datetime) -> dict[str, Any]:
    """Fetch due sources, store new articles, then cluster them into stories."""
    from core.ingest.pipeline import run_ingest
    from core.stories.service import update_stories

    report = asyncio.run(run_ingest(store))
    update_stories(store, report.articles)
    return {
        "sources": report.sources,
        "new_articles": report.new_articles,
        "failed": len(report.failed),
        "seconds": round(report.seconds, 2),
    }


def tick_step(store: Store, at: datetime) -> dict[str, Any]:
    """Build the editions due at ``at`` and enqueue their delivery batches."""
    from core.editions.tick import build_editions
    from workers.fanout import enqueue_batches

    result = build_editions(store, at)
    enqueued = enqueue_batches(store, result.batches) if result.batches else 0
    return {
        "due": result.due,
        "editions": len(result.editions),
        "recipients": result.recipients,
        "enqueued": enqueued,
    }


def recover_step(store: Store, at: datetime) -> dict[str, Any]:
    """Queue again the batches of delivery jobs whose worker died mid-batch."""
    from workers.fanout import recover_abandoned

    return {"recovered": recover_abandoned(store)}


@dataclass(frozen=True)
class Job:
    """A named step and how often it runs."""

    name: str
    every: timedelta
    step: Step


def default_jobs(store: Store) -> list[Job]:
    """Ingest, the digest tick, recovery and the bounce mailbox, at the settings' intervals."""
    return [*_core_jobs(store), *_mailbox_jobs(store)]


def _mailbox_jobs(store: Store) -> list[Job]:
    """The bounce mailbox poll, when there is a mailbox (AITODAY_IMAP__HOST)."""
    if not store.settings.imap.host:
        return []
    from workers.bounces import bounces_step

    return [Job("bounces", timedelta(minutes=store.settings.imap.poll_minutes), bounces_step)]


def _core_jobs(store: Store) -> list[Job]:
    digest = store.settings.digest
    return [
        Job("ingest", timedelta(minutes=digest.ingest_minutes), ingest_step),
        Job("tick", timedelta(minutes=digest.tick_minutes), tick_step),
        # cheap (one hash read): a killed worker's batch goes out again a minute or two
        # after the kill, not when RQ notices the dead worker (5-10 minutes)
        Job("recover", RECOVER_EVERY, recover_step),
    ]


class CronLock:
    """A Redis lock held by one process, renewed while it runs."""

    def __init__(self, store: Store, ttl: timedelta) -> None:
        self.repo = CronRepo(store)
        self.token = secrets.token_hex(8)
        self.ttl_ms = int(ttl.total_seconds() * 1000)

    def acquire(self) -> bool:
        """Take the lock, or renew it when we hold it; False when another cron does."""
        return self.repo.take_lock(self.token, self.ttl_ms)

    def release(self) -> None:
        """Give the lock up, only if it is still ours."""
        self.repo.release_lock(self.token)

    def holder(self) -> str | None:
        """The token of whoever holds the lock now."""
        return self.repo.lock_holder()


class Cron:
    """Runs each job when due, while holding the lock."""

    def __init__(
        self,
        store: Store,
        jobs: list[Job] | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        lock_ttl: timedelta | None = None,
    ) -> None:
        self.store = store
        self.jobs = jobs if jobs is not None else default_jobs(store)
        self.clock = clock
        shortest = min((j.every for j in self.jobs), default=timedelta(minutes=5))
        # Longer than one slow ingest, so the lock does not lapse while a job runs.
        self.lock = CronLock(store, lock_ttl or max(timedelta(minutes=10), 2 * shortest))

    def run_pending(self) -> list[str]:
        """Run every job that is due now; return their names. Needs the lock held."""
        ran = []
        for job in self.jobs:
            now = self.clock()
            if self._due(job, now):
                self._run(job, now)
                ran.append(job.name)
        return ran

    def run_all(self) -> bool:
        """Run every job once now, due or not (``aitoday cron --once``, the demo).

        False, and nothing run, when another cron holds the lock.
        """
        if not self.lock.acquire():
            return False
        try:
            for job in self.jobs:
                self._run(job, self.clock())
        finally:
            self.lock.release()
        return True

    def serve(self, stop: threading.Event, *, idle_seconds: float = 30.0) -> None:
        """Loop until ``stop`` is set: hold the lock, run due jobs, sleep until the next."""
        try:
            while not stop.is_set():
                wait = idle_seconds
                try:
                    if self.lock.acquire():
                        self.run_pending()
                        wait = min(idle_seconds, self.seconds_to_next())
                    else:
                        log.info("another cron holds the lock; standing by")
                except redis.RedisError as exc:
                    log.error("cron: Redis error, retrying in %.0f s: %s", idle_seconds, exc)
                stop.wait(max(0.5, wait))
        finally:
            with contextlib.suppress(redis.RedisError):  # the lock expires on its own
                self.lock.release()

    def seconds_to_next(self) -> float:
        """Seconds until the next job is due (0 when one is due now)."""
        now = self.clock()
        waits = [(self._next_at(job) - now).total_seconds() for job in self.jobs]
        return max(0.0, min(waits, default=60.0))

    def last_runs(self) -> dict[str, dict[str, Any]]:
        """Per job: last_at, last_result, last_error (as ``aitoday status`` shows them)."""
        return read_state(self.store)

    def _due(self, job: Job, now: datetime) -> bool:
        return self._next_at(job) <= now

    def _next_at(self, job: Job) -> datetime:
        raw = CronRepo(self.store).field(f"{job.name}:last_at")
        if raw is None:
            return datetime.min.replace(tzinfo=self.clock().tzinfo)
        return datetime.fromisoformat(raw) + job.every

    def _run(self, job: Job, now: datetime) -> None:
        repo = CronRepo(self.store)
        fields: dict[str, str] = {f"{job.name}:last_at": now.isoformat()}
        try:
            result = job.step(self.store, now)
        except redis.RedisError:
            raise  # the loop waits and retries; last_at stays so the job runs again
        except Exception as exc:
            # One failing step (a bug, a dead LLM) must not stop the other job.
            log.exception("cron job %s failed", job.name)
            # kept in Redis and shown by `aitoday status`: no address or token in clear
            fields[f"{job.name}:last_error"] = scrub(f"{type(exc).__name__}: {exc}")[:500]
        else:
            log.info("cron job %s: %s", job.name, json.dumps(result, default=str))
            fields[f"{job.name}:last_result"] = json.dumps(result, default=str)
            repo.forget(f"{job.name}:last_error")
        repo.save(fields)


def read_state(store: Store) -> dict[str, dict[str, Any]]:
    """What each cron job did last: {job: {"last_at", "last_result", "last_error"}}."""
    state: dict[str, dict[str, Any]] = {}
    for field, text in CronRepo(store).state().items():
        job, _, name = field.partition(":")
        state.setdefault(job, {})[name] = json.loads(text) if name == "last_result" else text
    return state
