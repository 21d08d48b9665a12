"""The RQ queues: one per channel, so a slow platform never holds up the others.

Queue names are ``<key prefix>-<channel>``: "aitoday-email", "aitoday-slack" and
"aitoday-line" with the default prefix. RQ keeps its own keys under ``rq:``, outside our
prefix, so the prefix in the queue name is what keeps two installs (or two test runs)
sharing one Redis from taking each other's jobs.
"""

from __future__ import annotations

from rq import Queue, Retry

from bots.base import RetryPolicy
from core.metrics import Gauge, label_key
from core.models import CHANNELS
from core.store.base import Store

DEFAULT_PREFIX = "aitoday"
QUEUE_NAMES: dict[str, str] = {channel: f"{DEFAULT_PREFIX}-{channel}" for channel in CHANNELS}

JOB_TIMEOUT = 900  # seconds: a batch of 500 on a slow SMTP relay stays well below
# A finished job is deleted at once: its outcome counts are in the delivery markers and
# /metrics, and a kept job would keep its subscriber ids for RQ's result TTL.
RESULT_TTL = 0
# A job's arguments hold subscriber ids (never addresses): a failed job is kept a week for
# inspection, not RQ's default year; `users delete` takes the subscriber out of it.
FAILURE_TTL = 7 * 86_400


def queue_names(store: Store) -> dict[str, str]:
    """Channel -> queue name under the store's key prefix."""
    return {channel: f"{store.keys.prefix}-{channel}" for channel in CHANNELS}


def queue_name(store: Store, channel: str) -> str:
    """The queue of a channel; ValueError for an unknown channel."""
    try:
        return queue_names(store)[channel]
    except KeyError:
        raise ValueError(f"unknown channel {channel!r}; have {', '.join(CHANNELS)}") from None


def channel_queue(store: Store, channel: str) -> Queue:
    """The RQ queue for ``channel`` on the store's Redis."""
    return Queue(queue_name(store, channel), connection=store.redis, default_timeout=JOB_TIMEOUT)


def all_queues(store: Store, names: list[str] | None = None) -> list[Queue]:
    """Queues by name (default: every channel queue); channel names ("email") are accepted."""
    mine = queue_names(store)
    resolved = [mine.get(n, n) for n in names] if names else list(mine.values())
    unknown = [n for n in resolved if n not in mine.values()]
    if unknown:
        have = ", ".join(mine.values())
        raise ValueError(f"unknown queue(s) {', '.join(unknown)}; have {have}")
    return [Queue(n, connection=store.redis, default_timeout=JOB_TIMEOUT) for n in resolved]


def job_retry(policy: RetryPolicy) -> Retry:
    """RQ Retry for a whole batch job that raised, from the channel's retry policy.

    A batch job that raises (Redis hiccup, adapter crash, worker killed) is run again with
    these pauses; per-recipient markers make the re-run send only what is left.
    """
    intervals = list(policy.job_retry_intervals)
    return Retry(max=len(intervals), interval=intervals)


def depth_gauges(store: Store) -> list[Gauge]:
    """Jobs waiting and jobs failed per channel queue, for /metrics (one pipeline)."""
    queues = all_queues(store)
    pipe = store.redis.pipeline()
    for queue in queues:
        pipe.llen(queue.key)
        pipe.zcard(queue.failed_job_registry.key)
    counts = pipe.execute()
    waiting = {label_key({"queue": q.name}): float(counts[2 * i]) for i, q in enumerate(queues)}
    failed = {label_key({"queue": q.name}): float(counts[2 * i + 1]) for i, q in enumerate(queues)}
    return [
        Gauge("aitoday_queue_jobs", "Delivery batch jobs waiting, per queue.", waiting),
        Gauge("aitoday_queue_failed_jobs", "Delivery batch jobs in RQ's failed registry.", failed),
    ]
