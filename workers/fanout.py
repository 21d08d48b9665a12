"""Fan-out: delivery batches become RQ jobs, one queue per channel, each batch once.

``enqueue_batches`` registers each batch (subscriber ids only) and enqueues its job in one
Redis transaction, so a batch is either registered and queued or neither. A batch already
registered is skipped: enqueueing the same batches twice (a repeated tick, a retried
cron run) queues nothing the second time. Should two processes race past that check,
the same job id is queued twice at worst, and the per-recipient claim in
:mod:`core.store.deliveries` still lets only one execution send to each recipient.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rq import Callback, Queue

from core.models import DeliveryBatch
from core.store.base import Store
from core.store.deliveries import DeliveryRepo
from workers.queues import FAILURE_TTL, RESULT_TTL, channel_queue, job_retry

JOB_FUNC = "workers.jobs.deliver_batch"
FAILURE_CALLBACK = "workers.jobs.on_batch_failure"


def enqueue_batches(store: Store, batches: Sequence[DeliveryBatch], **options: Any) -> int:
    """Queue each batch not queued before; return how many were queued.

    ``options`` go to :func:`workers.jobs.deliver_batch` as keyword arguments (tests pass
    a short ``lease_seconds`` or ``backoff``); production uses the defaults.
    """
    repo = DeliveryRepo(store)
    unique = list({b.job_id: b for b in batches}.values())
    fresh = repo.unregistered(unique)
    if not fresh:
        return 0
    by_channel: dict[str, list[DeliveryBatch]] = {}
    for batch in fresh:
        by_channel.setdefault(batch.channel, []).append(batch)
    pipe = store.redis.pipeline(transaction=True)
    repo.register(pipe, fresh)
    for channel, group in by_channel.items():
        queue = channel_queue(store, channel)
        queue.enqueue_many([_job_data(b, options) for b in group], pipeline=pipe)
    pipe.execute()
    return len(fresh)


def requeue(store: Store, batches: Sequence[DeliveryBatch], suffix: str, **options: Any) -> int:
    """Queue registered batches again (``deliveries retry``) as ``<job id>-<suffix>`` jobs.

    Pass ``mode="retry"`` in ``options`` to also re-send failed and deferred recipients.
    """
    by_channel: dict[str, list[DeliveryBatch]] = {}
    for batch in batches:
        by_channel.setdefault(batch.channel, []).append(batch)
    pipe = store.redis.pipeline(transaction=True)
    for channel, group in by_channel.items():
        queue = channel_queue(store, channel)
        datas = [_job_data(b, options, f"{b.job_id}-{suffix}") for b in group]
        queue.enqueue_many(datas, pipeline=pipe)
    pipe.execute()
    return len(batches)


def _job_data(batch: DeliveryBatch, options: dict[str, Any], job_id: str | None = None) -> Any:
    return Queue.prepare_data(
        JOB_FUNC,
        args=(batch.model_dump(mode="json"),),
        kwargs=options,
        job_id=job_id or batch.job_id,
        retry=job_retry(),
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        description=f"deliver {batch.channel} batch {batch.batch_no} of {batch.edition_id}",
        on_failure=Callback(FAILURE_CALLBACK),
    )
