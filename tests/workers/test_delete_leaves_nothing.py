"""After ``aitoday users delete``, Redis holds nothing that names the subscriber.

Delivery jobs carry subscriber ids only (the job reads addresses from the store when it
runs), and delete takes the id out of waiting jobs, delivery markers, batch records and
dead letters. The test delivers real editions on every channel with a real RQ worker,
leaves more waiting (queued, scheduled, failed), deletes, then reads every key.
"""

from __future__ import annotations

import zlib
from datetime import timedelta

import pytest
from click.testing import CliRunner
from rq.job import Job

from core.config import Settings
from core.models import Channel, DeliveryBatch, Edition, utcnow
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.deliveries import DeliveryRepo
from core.store.editions import EditionRepo
from core.store.subscribers import SubscriberRepo
from core.tokens import unsubscribe_token
from tests.workers.cli_env import point_cli_at
from tests.workers.run import drain_here
from tests.workers.seed import batches_for, seed_edition
from workers.cli import cli
from workers.fanout import enqueue_batches
from workers.queues import FAILURE_TTL, channel_queue

EMAIL = "leaving.reader@example.com"
LINE = "U" + "5eaf" * 8
SLACK = "T0LEAVE/C0LEAVING1"


def every_value(store: Store) -> list[bytes]:
    """Every key name and every value in the database (job data decompressed)."""
    client = store.redis
    found: list[bytes] = []
    for key in client.scan_iter(count=1000):
        found.append(_bytes(key))
        kind = _bytes(client.type(key)).decode()
        if kind == "string":
            found.append(_bytes(client.get(key) or b""))
        elif kind == "hash":
            for field, value in client.hgetall(key).items():
                found += [_bytes(field), _bytes(value)]
        elif kind == "list":
            found += [_bytes(v) for v in client.lrange(key, 0, -1)]
        elif kind == "set":
            found += [_bytes(v) for v in client.smembers(key)]
        elif kind == "zset":
            found += [_bytes(v) for v in client.zrange(key, 0, -1)]
        elif kind == "stream":
            for _, entry in client.xrange(key) or []:
                for field, value in (entry or {}).items():
                    found += [_bytes(field), _bytes(value)]
    return [_inflate(v) for v in found]


def _bytes(value: object) -> bytes:
    """A Redis reply as bytes: the client does not decode, though redis-py's types allow str."""
    if isinstance(value, str):
        return value.encode()
    assert isinstance(value, bytes), value
    return value


def _inflate(value: bytes) -> bytes:
    try:
        return zlib.decompress(value)
    except zlib.error:
        return value


def second_edition(store: Store, edition: Edition) -> Edition:
    later = edition.model_copy(update={"id": f"{edition.id}b"})
    EditionRepo(store).save(later)
    return later


def test_nothing_in_redis_names_a_deleted_subscriber(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = SubscriberRepo(store)
    leaving = repo.add(new_subscriber(email=EMAIL, line=LINE, slack=SLACK))
    staying = repo.add(
        new_subscriber(email="staying@example.com", line="U" + "1" * 32, slack="T0STAY/C0STAY")
    )
    channels: tuple[Channel, ...] = ("email", "line", "slack")
    waiting: list[DeliveryBatch] = []
    for channel in channels:
        edition = seed_edition(store, channel)
        enqueue_batches(store, batches_for(store, edition, [leaving, staying]))
        waiting += batches_for(store, second_edition(store, edition), [leaving, staying])
    drain_here(store)  # the first editions are delivered: markers and finished jobs exist
    enqueue_batches(store, waiting)
    queue = channel_queue(store, "line")
    failed = Job.fetch(waiting[1].job_id, connection=store.redis)
    queue.remove(failed)
    queue.failed_job_registry.add(failed, ttl=FAILURE_TTL, exc_string="boom")
    later = Job.fetch(waiting[2].job_id, connection=store.redis)
    channel_queue(store, "slack").remove(later)
    channel_queue(store, "slack").schedule_job(later, utcnow() + timedelta(minutes=30))
    DeliveryRepo(store).dead_letter(
        waiting[0].edition_id, waiting[0].job_id, "email", "retries exhausted", [leaving.id]
    )
    token = unsubscribe_token(settings.signing_key(), leaving.id, "email").encode()
    needles = [EMAIL.encode(), LINE.encode(), SLACK.encode(), leaving.id.encode(), token]
    before = every_value(store)
    assert all(any(n in v for v in before) for n in needles[:4])  # the test sees them

    point_cli_at(settings, monkeypatch)
    result = CliRunner().invoke(cli, ["users", "delete", leaving.id])
    assert result.exit_code == 0, result.output

    after = every_value(store)
    for needle in needles:
        holders = [v[:120] for v in after if needle in v]
        assert not holders, f"{needle!r} still in Redis: {holders}"
    assert any(staying.id.encode() in v for v in after)  # the others' records are kept
    assert {b.job_id for b in waiting} <= {
        *channel_queue(store, "email").get_job_ids(),
        *queue.failed_job_registry.get_job_ids(),
        *channel_queue(store, "slack").scheduled_job_registry.get_job_ids(),
    }


def test_a_job_reads_addresses_when_it_runs(store: Store) -> None:
    """The payload names ids only; an address changed after enqueue is the one used."""
    repo = SubscriberRepo(store)
    reader = repo.add(new_subscriber(email="old.address@example.com"))
    gone = repo.add(new_subscriber(email="deleted.meanwhile@example.com"))
    edition = seed_edition(store, "email")
    [batch] = batches_for(store, edition, [reader, gone])
    enqueue_batches(store, [batch])
    data = zlib.decompress(_bytes(store.redis.hget(f"rq:job:{batch.job_id}", "data") or b""))
    assert b"@example.com" not in data and reader.id.encode() in data

    moved = reader.model_copy(deep=True)
    moved.channels[0].address = "new.address@example.com"
    repo.save(moved)
    repo.delete(gone.id)
    drain_here(store)

    markers = DeliveryRepo(store).markers(edition.id, "email")
    assert markers == {reader.id: "sent"}  # the deleted one is skipped and leaves no marker
    outbox = store.settings.digest.outbox_dir / "maildir" / "new"
    texts = [p.read_text() for p in outbox.iterdir()]
    assert len(texts) == 1 and "new.address@example.com" in texts[0]


def test_an_unsubscribe_link_dies_with_the_record(store: Store) -> None:
    """A link mailed before the delete names the old id: it acts on no one, not even a
    new sign-up of the same address (ids are random, never reused)."""
    import httpx

    from bots.web import create_app
    from core.models import ChannelStatus
    from tests.fakes.server import serve

    repo = SubscriberRepo(store)
    old = repo.add(new_subscriber(email=EMAIL))
    link = unsubscribe_token(store.settings.signing_key(), old.id, "email")
    assert repo.delete(old.id)
    again = repo.add(new_subscriber(email=EMAIL))
    assert again.id != old.id
    with serve(create_app(store.settings, store)) as base, httpx.Client(base_url=base) as web:
        assert web.post(f"/unsubscribe/{link}").status_code == 200
    current = repo.get(again.id)
    assert current is not None and current.channels[0].status == ChannelStatus.ACTIVE
    assert repo.get(old.id) is None
