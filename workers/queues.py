"""The RQ queues: one per channel, so a slow platform never holds up the others.

Their names are built in ``core/store/queues.py``, beside the keys.
"""

from __future__ import annotations

from rq import Queue, Retry

from bots.base import RetryPolicy
from core.store.base import Store
from core.store.queues import queue_name, queue_names

JOB_TIMEOUT = 900  # seconds: a batch of 500 on a slow SMTP relay stays well below
# A finished job is deleted at once: its outcome counts are in the delivery markers and
# /metrics, and a kept job would keep its subscriber ids for RQ's result TTL.
RESULT_TTL = 0
# A job's arguments hold subscriber ids (never addresses): a failed job is kept a week for
# inspection, not RQ's default year; `users delete` takes the subscriber out of it.
FAILURE_TTL = 7 * 86_400


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
