"""Digests sent through a real MTA: Debian's Postfix as the relay on 127.0.0.1, started by
the test from a private config directory, relaying to the aiosmtpd sink we read.

What a user runs: AITODAY_SMTP__HOST/PORT pointing at their Postfix, `aitoday worker`
draining a fan-out. Every recipient gets exactly one message, with the headers we wrote
(Message-ID, List-Unsubscribe) intact after Postfix has queued and relayed it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from core.store.base import Store
from core.store.connection import keys_for
from core.store.deliveries import DeliveryRepo
from tests.fakes.server import free_port
from tests.fakes.smtp import FakeSMTP
from tests.ops.postfix import Postfix, unavailable

pytestmark = pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))

from tests.workers.conftest import RedisServer  # noqa: E402
from tests.workers.run import aitoday_ok, env_for, own_settings  # noqa: E402
from tests.workers.seed import address, batches_for, seed_edition, seed_subscribers  # noqa: E402
from workers.fanout import enqueue_batches  # noqa: E402

RECIPIENTS = 120


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A Redis of this test's own (RQ's keys are outside our prefix)."""
    server = RedisServer(tmp_path / "redis", free_port())
    server.workdir.mkdir()
    server.start()
    settings = own_settings(tmp_path, redis_url=server.url)
    client = redis.Redis.from_url(server.url)
    yield Store(redis=client, keys=keys_for(settings), settings=settings)
    client.close()
    server.stop()


def _wait_relayed(sink: FakeSMTP, mta: Postfix, count: int) -> None:
    deadline = time.monotonic() + 120
    while len(sink.count_by_recipient()) < count or mta.queue_size():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"Postfix relayed {len(sink.count_by_recipient())} of {count}: {mta.log()[-2000:]}"
            )
        time.sleep(0.1)


def test_a_fan_out_through_postfix_reaches_every_recipient_once(store: Store) -> None:
    edition = seed_edition(store, "email")
    subs = seed_subscribers(store, "email", RECIPIENTS)
    enqueue_batches(store, batches_for(store, edition, subs, size=50))
    with (
        FakeSMTP().running() as sink,
        Postfix(relay_to=(sink.host, sink.port)).running() as mta,
    ):
        env = env_for(
            store.settings,
            AITODAY_SMTP__HOST=mta.host,
            AITODAY_SMTP__PORT=str(mta.port),
            AITODAY_SMTP__STARTTLS="false",
        )
        aitoday_ok(env, "worker", "--burst", timeout=300)
        _wait_relayed(sink, mta, RECIPIENTS)
        counts = sink.count_by_recipient()
        log = mta.log()

    assert counts == {address("email", n): 1 for n in range(RECIPIENTS)}
    status = DeliveryRepo(store).status(edition.id)["email"]
    assert (status["sent"], status["pending"], status["failed"]) == (RECIPIENTS, 0, 0)
    message = sink.messages_to(address("email", 7))[0]
    # it went through Postfix: its Received line, its queue id in the log
    assert "mta.aitoday.localhost" in str(message["Received"])
    assert "status=sent" in log
    # ours survive the relay: one Message-ID per recipient, the unsubscribe headers
    assert message["Message-ID"] and "aitoday" in str(message["Message-ID"]).lower()
    assert message["List-Unsubscribe"] and "unsubscribe" in str(message["List-Unsubscribe"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    ids = {str(sink.messages_to(address("email", n))[0]["Message-ID"]) for n in range(5)}
    assert len(ids) == 5
