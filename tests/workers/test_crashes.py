"""Crashes: a worker SIGKILLed mid-batch, Redis restarted mid-fan-out. Nothing is lost,
and nothing is sent twice outside the window DELIVERY-GUARANTEES.md describes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from aiosmtpd.smtp import SMTP, Envelope, Session
from click.testing import CliRunner

from bots.registry import limits_for
from core.store.base import Store
from core.store.connection import keys_for
from core.store.deliveries import DeliveryRepo
from tests.fakes.server import free_port
from tests.fakes.smtp import FakeSMTP
from tests.workers.conftest import RedisServer
from tests.workers.run import aitoday, drain_here, env_for, own_settings
from tests.workers.seed import address, batches_for, seed_edition, seed_subscribers
from workers.cli import cli
from workers.fanout import enqueue_batches

LEASE = 2  # seconds: how long a killed execution's claims stay reserved
# One SMTP connection at a time (chunks of 25), so the stall pins the crash to a place.
ONE_AT_A_TIME = {"lease_seconds": LEASE, "in_flight": 1}


class StallingSMTP(FakeSMTP):
    """The fake SMTP server, made to hang on the DATA of its N-th message.

    That pins where a worker is when the test kills it (or restarts Redis): inside a
    send, with every earlier message accepted.
    """

    def __init__(self, stall_at: int) -> None:
        super().__init__()
        self.stall_at = stall_at
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if len(self.messages) == self.stall_at and not self.release.is_set():
            self.stalled.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
            return "421 4.3.2 closing"  # the stalled message itself is not accepted
        return await super().handle_DATA(server, session, envelope)


def kill_tree(pid: int) -> None:
    """SIGKILL a process and its children (RQ's work horse runs in a session of its own)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # the field after the state is the parent pid
            children.append(int(stat.parent.name))
    for child in [*children, pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


def _smtp_env(store: Store, smtp: FakeSMTP) -> dict[str, str]:
    return env_for(
        store.settings,
        AITODAY_SMTP__HOST=smtp.host,
        AITODAY_SMTP__PORT=str(smtp.port),
        AITODAY_SMTP__STARTTLS="false",
        AITODAY_SMTP__TIMEOUT="5",
    )


def _wait(event: threading.Event, proc: object, what: str) -> None:
    if not event.wait(timeout=60):
        raise AssertionError(f"the worker never reached {what}")


def _kill_at_stall(smtp: StallingSMTP, env: dict[str, str]) -> None:
    """Run ``aitoday worker --burst`` until ``smtp`` stalls, SIGKILL it there, then let the
    SMTP server answer again."""
    worker = aitoday(env, "worker", "--burst")
    try:
        _wait(smtp.stalled, worker, f"message {smtp.stall_at}")
        kill_tree(worker.pid)  # the worker and the work horse it forked
        worker.communicate(timeout=10)  # reap it and close its pipes
    finally:
        smtp.release.set()


def _resume(store: Store, smtp: FakeSMTP, edition_id: str) -> None:
    """What an operator does after a crash (RQ's own retry would do it later, too)."""
    time.sleep(LEASE + 0.5)  # the dead execution's lease runs out
    result = CliRunner().invoke(
        cli, ["deliveries", "retry", edition_id, "--pending-only"], env=_smtp_env(store, smtp)
    )
    assert result.exit_code == 0, result.output
    smtp_settings = store.settings.smtp.model_copy(
        update={"host": smtp.host, "port": smtp.port, "starttls": False}
    )
    settings = store.settings.model_copy(update={"smtp": smtp_settings})
    drain_here(Store(redis=store.redis, keys=store.keys, settings=settings))


@pytest.mark.parametrize(
    ("stall_at", "repeated"),
    [
        (100, 0),  # killed at a chunk boundary: every earlier chunk was recorded
        (110, 10),  # killed inside a chunk: its 10 accepted messages go out again
    ],
)
def test_a_worker_killed_mid_batch_resumes_without_loss(
    store: Store, stall_at: int, repeated: int
) -> None:
    edition = seed_edition(store, "email")
    subs = seed_subscribers(store, "email", 300)
    enqueue_batches(store, batches_for(store, edition, subs, size=300), **ONE_AT_A_TIME)
    smtp = StallingSMTP(stall_at)
    with smtp.running():
        _kill_at_stall(smtp, _smtp_env(store, smtp))
        assert len(smtp.messages) == stall_at
        _resume(store, smtp, edition.id)

        counts = smtp.count_by_recipient()
        assert sorted(counts) == sorted(address("email", n) for n in range(300))  # no loss
        twice = sorted(a for a, c in counts.items() if c > 1)
        assert len(twice) == repeated
        assert max(counts.values()) <= 2
    status = DeliveryRepo(store).status(edition.id)["email"]
    assert (status["sent"], status["pending"], status["failed"]) == (300, 0, 0)


def test_a_crash_with_several_connections_repeats_at_most_the_chunks_in_flight(
    store: Store,
) -> None:
    edition = seed_edition(store, "email")
    subs = seed_subscribers(store, "email", 300)
    enqueue_batches(store, batches_for(store, edition, subs, size=300), lease_seconds=LEASE)
    smtp = StallingSMTP(60)  # one connection hangs; the others keep sending until the kill
    with smtp.running():
        _kill_at_stall(smtp, _smtp_env(store, smtp))
        _resume(store, smtp, edition.id)
        counts = smtp.count_by_recipient()
    assert sorted(counts) == sorted(address("email", n) for n in range(300))  # no loss
    assert max(counts.values()) <= 2
    window = limits_for("email").in_flight * limits_for("email").send_chunk
    assert sum(1 for c in counts.values() if c == 2) <= window
    assert DeliveryRepo(store).status(edition.id)["email"]["sent"] == 300


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, with AOF, that the test restarts."""
    server = RedisServer(tmp_path / "redis", free_port())
    server.workdir.mkdir()
    server.start()
    yield server
    server.stop()


def test_a_redis_restart_mid_fan_out_loses_nothing(
    restartable: RedisServer, tmp_path: Path
) -> None:
    settings = own_settings(tmp_path, "aitodayrestart", redis_url=restartable.url)
    client = redis.Redis.from_url(restartable.url)
    store = Store(redis=client, keys=keys_for(settings), settings=settings)
    edition = seed_edition(store, "email")
    subs = seed_subscribers(store, "email", 400)
    enqueue_batches(store, batches_for(store, edition, subs, size=100), **ONE_AT_A_TIME)
    smtp = StallingSMTP(150)  # inside the second batch
    with smtp.running():
        env = _smtp_env(store, smtp)
        worker = aitoday(env, "worker", "--burst")
        try:
            _wait(smtp.stalled, worker, "message 150")
            restartable.stop()  # SIGTERM: Redis writes its AOF and exits
            restartable.start()
        finally:
            smtp.release.set()
        worker.communicate(timeout=120)  # it rides out the restart (or gives up): resume
        _resume(store, smtp, edition.id)
        counts = smtp.count_by_recipient()
        assert sorted(counts) == sorted(address("email", n) for n in range(400))
        assert set(counts.values()) == {1}
    status = DeliveryRepo(store).status(edition.id)["email"]
    assert (status["sent"], status["pending"]) == (400, 0)
    client.close()


def _mail_store(store: Store, smtp: FakeSMTP) -> Store:
    smtp_settings = store.settings.smtp.model_copy(
        update={"host": smtp.host, "port": smtp.port, "starttls": False}
    )
    settings = store.settings.model_copy(update={"smtp": smtp_settings})
    return Store(redis=store.redis, keys=store.keys, settings=settings)


def test_the_cron_queues_a_killed_workers_batch_again_without_an_operator(store: Store) -> None:
    from workers.cron import Cron, default_jobs, read_state

    edition = seed_edition(store, "email")
    subs = seed_subscribers(store, "email", 300)
    enqueue_batches(store, batches_for(store, edition, subs, size=300), **ONE_AT_A_TIME)
    smtp = StallingSMTP(110)  # inside the fifth chunk
    with smtp.running():
        _kill_at_stall(smtp, _smtp_env(store, smtp))
        time.sleep(LEASE + 0.5)  # the dead execution's lease runs out
        mail_store = _mail_store(store, smtp)
        drain_here(mail_store)  # nothing queued: the killed job sits in RQ's started registry
        assert len(smtp.messages) == 110
        assert DeliveryRepo(store).status(edition.id)["email"]["pending"] == 200

        recover = [job for job in default_jobs(store) if job.name == "recover"]
        assert Cron(store, recover).run_all()  # one cron pass, no `deliveries retry`
        assert read_state(store)["recover"]["last_result"] == {"recovered": 1}
        assert Cron(store, recover).run_all()  # a second pass finds nothing more to do
        assert read_state(store)["recover"]["last_result"] == {"recovered": 0}
        drain_here(mail_store)
        counts = smtp.count_by_recipient()
    assert sorted(counts) == sorted(address("email", n) for n in range(300))  # no loss
    assert sum(1 for c in counts.values() if c == 2) == 10  # the accepted part of chunk 5
    status = DeliveryRepo(store).status(edition.id)["email"]
    assert (status["sent"], status["pending"], status["failed"]) == (300, 0, 0)
