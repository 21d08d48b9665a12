"""The names of the RQ queues, beside the keys: one queue per channel.

Queue names are ``<key prefix>-<channel>``: "aitoday-email", "aitoday-slack" and
"aitoday-line" with the default prefix. RQ keeps its own keys under ``rq:``, outside our
prefix, so the prefix in the queue name is what keeps two installs (or two test runs)
sharing one Redis from taking each other's jobs. The queues themselves (timeouts, retry)
are built in ``workers/queues.py``.
"""

from __future__ import annotations

from rq import Queue

from core.models import CHANNELS
from core.store.base import Store

__all__ = ["DEFAULT_PREFIX", "QUEUE_NAMES", "queue_depths", "queue_name", "queue_names"]

DEFAULT_PREFIX = "aitoday"
QUEUE_NAMES: dict[str, str] = {channel: f"{DEFAULT_PREFIX}-{channel}" for channel in CHANNELS}


def queue_names(store: Store) -> dict[str, str]:
    """Channel -> queue name under the store's key prefix."""
    return {channel: f"{store.keys.prefix}-{channel}" for channel in CHANNELS}


def queue_name(store: Store, channel: str) -> str:
    """The queue of a channel; ValueError for an unknown channel."""
    try:
        return queue_names(store)[channel]
    except KeyError:
        raise ValueError(f"unknown channel {channel!r}; have {', '.join(CHANNELS)}") from None


def queue_depths(store: Store) -> dict[str, tuple[int, int]]:
    """Queue name -> (jobs waiting, jobs in RQ's failed registry), in one pipeline."""
    queues = [Queue(name, connection=store.redis) for name in queue_names(store).values()]
    pipe = store.redis.pipeline()
    for queue in queues:
        pipe.llen(queue.key)
        pipe.zcard(queue.failed_job_registry.key)
    counts = pipe.execute()
    return {q.name: (int(counts[2 * i]), int(counts[2 * i + 1])) for i, q in enumerate(queues)}
