"""DeliveryRepo against a real Redis: claims, leases, status, dead letters."""

from __future__ import annotations

from core.models import Channel, DeliveryBatch, Recipient
from core.store.base import Store
from core.store.deliveries import DeliveryRepo
from workers.fanout import enqueue_batches
from workers.queues import channel_queue


def _batch(edition: str, channel: Channel, batch_no: int, ids: list[str]) -> DeliveryBatch:
    recipients = [Recipient(subscriber_id=i, address=f"{i}@example.org") for i in ids]
    return DeliveryBatch(
        edition_id=edition, channel=channel, batch_no=batch_no, recipients=recipients
    )


def test_a_recipient_is_claimed_once_while_its_claimer_lives(store: Store) -> None:
    repo = DeliveryRepo(store)
    repo.hold_lease("first", 60)
    assert repo.claim("ed1", "email", ["a", "b"], "first") == ["a", "b"]
    assert repo.claim("ed1", "email", ["a", "b", "c"], "second") == ["c"]


def test_a_dead_executions_claims_can_be_taken_over(store: Store) -> None:
    repo = DeliveryRepo(store)
    repo.hold_lease("dead", 60)
    repo.claim("ed1", "line", ["a", "b"], "dead")
    repo.drop_lease("dead")  # as if its lease expired with its killed worker
    assert repo.claim("ed1", "line", ["a", "b"], "next") == ["a", "b"]


def test_final_markers_are_never_claimed_and_retry_mode_takes_failed(store: Store) -> None:
    repo = DeliveryRepo(store)
    repo.record(
        "ed1",
        "slack",
        {"a": "sent", "b": "gone|channel_not_found", "c": "failed|timeout", "d": "transient|429"},
    )
    assert repo.claim("ed1", "slack", ["a", "b", "c", "d"], "t1") == ["d"]
    assert repo.claim("ed1", "slack", ["a", "b", "c"], "t2", mode="retry") == ["c"]


def test_status_counts_every_registered_recipient(store: Store) -> None:
    repo = DeliveryRepo(store)
    batches = [_batch("ed2", "email", 0, ["a", "b", "c"]), _batch("ed2", "line", 0, ["d", "e"])]
    assert enqueue_batches(store, batches) == 2
    repo.record("ed2", "email", {"a": "sent", "b": "deferred|quota"})
    repo.record("ed2", "line", {"d": "rejected|bad flex"})
    status = repo.status("ed2")
    assert status["email"]["sent"] == 1
    assert status["email"]["deferred"] == 1
    assert status["email"]["pending"] == 1
    assert status["line"] == {
        "sent": 0,
        "failed": 0,
        "pending": 1,
        "deferred": 0,
        "gone": 0,
        "rejected": 1,
        "skipped": 0,
    }
    left = {(r.channel, tuple(r.ids)) for r in repo.unfinished("ed2")}
    assert left == {("email", ("b", "c")), ("line", ("e",))}
    assert {(r.channel, tuple(r.ids)) for r in repo.unfinished("ed2", include_retryable=False)} == {
        ("email", ("c",)),
        ("line", ("e",)),
    }


def test_enqueueing_the_same_batches_twice_queues_them_once(store: Store) -> None:
    batches = [_batch("ed3", "email", n, [f"s{n}"]) for n in range(3)]
    assert enqueue_batches(store, batches) == 3
    assert enqueue_batches(store, [*batches, batches[0]]) == 0
    queue = channel_queue(store, "email")
    assert queue.name == f"{store.keys.prefix}-email"
    ids = set(queue.job_ids)
    assert {b.job_id for b in batches} <= ids
    # RQ keys live outside our prefix: leave the shared Redis clean
    queue.empty()  # type: ignore[no-untyped-call]  # rq 2 leaves Queue.empty unannotated


def test_dead_letters_keep_ids_and_reason(store: Store) -> None:
    repo = DeliveryRepo(store)
    repo.dead_letter("ed4", "deliver-ed4-email-0", "email", "retries exhausted: 450", ["a"])
    [letter] = repo.dead_letters("ed4")
    assert letter.reason == "retries exhausted: 450"
    assert letter.ids == ["a"]


def test_a_batch_rq_gives_up_on_is_dead_lettered_and_its_recipients_failed(store: Store) -> None:
    from core.errors import StoreError
    from workers.jobs import configure, on_batch_failure

    configure(store.settings, store)
    batch = _batch("ed5", "email", 0, ["a", "b", "c"])
    enqueue_batches(store, [batch])
    repo = DeliveryRepo(store)
    repo.record("ed5", "email", {"a": "sent"})
    job = channel_queue(store, "email").fetch_job(batch.job_id)
    assert job is not None
    job.retries_left = 1  # RQ will run it again: nothing to record yet
    on_batch_failure(job, store.redis, StoreError, StoreError("edition expired"), None)
    assert repo.dead_letters("ed5") == []
    job.retries_left = 0
    on_batch_failure(job, store.redis, StoreError, StoreError("edition expired"), None)
    [letter] = repo.dead_letters("ed5")
    assert letter.reason == "StoreError: edition expired"
    assert sorted(letter.ids) == ["b", "c"]
    assert repo.status("ed5")["email"]["failed"] == 2
    assert repo.status("ed5")["email"]["sent"] == 1
