"""Fan-out: delivery batches become RQ jobs, one queue per channel, each batch once.

A job's arguments name its recipients by subscriber id only (:func:`job_payload`): no
address, LINE id, Slack channel or unsubscribe token sits in Redis for the job's life.
The job reads each recipient's current address from the store when it runs
(:func:`batch_of` rebuilds the batch; a subscriber deleted meanwhile is skipped).

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

from bots.registry import limits_for
from core.models import DeliveryBatch, Recipient
from core.store.base import Store
from core.store.deliveries import BatchRecord, DeliveryRepo
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


def recover_abandoned(store: Store) -> int:
    """Queue again what killed executions left (cron's ``recover`` step); batches queued.

    An execution registers itself when it starts (``DeliveryRepo.start``) and removes its
    entry when it ends; an entry whose lease ran out belongs to a worker that died (SIGKILL,
    OOM, power). Its batch's recipients not yet in a final state are queued again as
    ``<job id>-recover<token>``: the per-recipient claim sends each of them once, whether
    or not RQ later retries the dead job as well.
    """
    repo = DeliveryRepo(store)
    queued = 0
    for execution in repo.abandoned():
        if not repo.take_over(execution.token):
            continue  # another cron took it (there is one; be safe)
        left = [
            r
            for r in repo.unfinished(execution.edition_id, include_retryable=False)
            if r.job_id == execution.job_id
        ]
        batches = [_from_record(r) for r in left]
        queued += requeue(store, batches, f"recover{execution.token[:12]}") if batches else 0
    return queued


def _from_record(record: BatchRecord) -> DeliveryBatch:
    return DeliveryBatch(
        edition_id=record.edition_id,
        channel=record.channel,  # type: ignore[arg-type]
        batch_no=record.batch_no,
        recipients=[Recipient(subscriber_id=i, address="") for i in record.ids],
    )


def job_payload(batch: DeliveryBatch) -> dict[str, Any]:
    """What a job carries of its batch: edition, channel, number and subscriber ids."""
    return {
        "edition_id": batch.edition_id,
        "channel": batch.channel,
        "batch_no": batch.batch_no,
        "ids": [r.subscriber_id for r in batch.recipients],
    }


def payload_ids(payload: dict[str, Any]) -> list[str]:
    """The subscriber ids of a job payload (also of one queued before ids-only payloads)."""
    if "ids" in payload:
        return [str(i) for i in payload["ids"]]
    return [str(r["subscriber_id"]) for r in payload.get("recipients") or []]


def batch_of(payload: dict[str, Any]) -> DeliveryBatch:
    """The batch of a job payload, addresses left empty until the job reads the store."""
    recipients = [Recipient(subscriber_id=i, address="") for i in payload_ids(payload)]
    return DeliveryBatch(
        edition_id=payload["edition_id"],
        channel=payload["channel"],
        batch_no=int(payload["batch_no"]),
        recipients=recipients,
    )


def _job_data(batch: DeliveryBatch, options: dict[str, Any], job_id: str | None = None) -> Any:
    return Queue.prepare_data(
        JOB_FUNC,
        args=(job_payload(batch),),
        kwargs=options,
        job_id=job_id or batch.job_id,
        retry=job_retry(limits_for(batch.channel).retry),
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        description=f"deliver {batch.channel} batch {batch.batch_no} of {batch.edition_id}",
        on_failure=Callback(FAILURE_CALLBACK),
    )
