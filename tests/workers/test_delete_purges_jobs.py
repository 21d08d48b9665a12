"""``aitoday users delete`` takes the subscriber out of waiting delivery jobs: queued,
scheduled and failed jobs (which name recipients by id only) no longer name them."""

from __future__ import annotations

import zlib
from datetime import timedelta

import pytest
from click.testing import CliRunner
from rq.job import Job

from core.config import Settings
from core.models import DeliveryBatch, Recipient, utcnow
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.subscribers import SubscriberRepo
from tests.workers.cli_env import point_cli_at
from workers.cli import cli
from workers.fanout import enqueue_batches
from workers.queues import FAILURE_TTL, channel_queue


def batch(edition: str, *recipients: Recipient) -> DeliveryBatch:
    return DeliveryBatch(edition_id=edition, channel="email", batch_no=0, recipients=[*recipients])


def job_text(store: Store, job_id: str) -> str:
    """What Redis holds of a job's arguments ("" once the job is gone)."""
    data = store.redis.hget(f"rq:job:{job_id}", "data")
    if not data:
        return ""
    assert isinstance(data, bytes), data
    return zlib.decompress(data).decode("latin-1")


def test_delete_purges_queued_scheduled_and_failed_jobs(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = SubscriberRepo(store)
    leaving = repo.add(new_subscriber(email="leaving@example.com"))
    staying = repo.add(new_subscriber(email="staying@example.com"))
    gone = Recipient(
        subscriber_id=leaving.id, address="leaving@example.com", unsubscribe_token="tok-leaving"
    )
    kept = Recipient(subscriber_id=staying.id, address="staying@example.com")
    shared, alone, failed, later = (
        batch("ed1", gone, kept),
        batch("ed2", gone),
        batch("ed3", kept, gone),
        batch("ed4", gone, kept),
    )
    assert enqueue_batches(store, [shared, alone, failed, later]) == 4
    queue = channel_queue(store, "email")
    failed_job = Job.fetch(failed.job_id, connection=store.redis)
    queue.remove(failed_job)
    queue.failed_job_registry.add(failed_job, ttl=FAILURE_TTL, exc_string="boom")
    later_job = Job.fetch(later.job_id, connection=store.redis)
    queue.remove(later_job)
    queue.schedule_job(later_job, utcnow() + timedelta(minutes=30))
    assert all(leaving.id in job_text(store, b.job_id) for b in (shared, failed, later))
    assert not any("@example.com" in job_text(store, b.job_id) for b in (shared, failed, later))

    point_cli_at(settings, monkeypatch)
    result = CliRunner().invoke(cli, ["users", "delete", leaving.id])
    assert result.exit_code == 0, result.output
    assert "4 waiting delivery job(s)" in result.output

    for job_id in (shared.job_id, failed.job_id, later.job_id):
        text = job_text(store, job_id)
        assert staying.id in text  # the others still get their digest
        assert "leaving@example.com" not in text and "tok-leaving" not in text
        assert leaving.id not in text
    assert job_text(store, alone.job_id) == ""  # nobody left: the job is gone
    assert alone.job_id not in queue.get_job_ids()
    assert failed.job_id in queue.failed_job_registry.get_job_ids()
    assert later.job_id in queue.scheduled_job_registry.get_job_ids()
    assert repo.get(leaving.id) is None
