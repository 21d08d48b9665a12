"""Redis failover under Sentinel, as an operator runs it: AITODAY_REDIS_SENTINELS set, a
primary, a replica and three Sentinels, the primary SIGKILLed in the middle of a fan-out.
Every recipient still gets the digest, and nobody gets it twice outside the window of
deploy/DELIVERY-GUARANTEES.md (the chunks in flight)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rq import Worker

from core.config import Settings
from core.store.base import Store, open_store
from core.store.connection import redis_url
from core.store.deliveries import DeliveryRepo
from tests.ops.sentinels import FailoverGroup, redis_binary

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        redis_binary() is None,
        reason="redis-server is not installed (apt-get install redis-server redis-sentinel)",
    ),
]

from bots.registry import limits_for  # noqa: E402
from tests.workers.run import aitoday, drain_here, own_settings  # noqa: E402
from tests.workers.seed import address, batches_for, seed_edition, seed_subscribers  # noqa: E402
from tests.workers.test_crashes import StallingSMTP  # noqa: E402
from workers.cli import cli  # noqa: E402
from workers.fanout import enqueue_batches  # noqa: E402

LEASE = 2  # seconds a dead execution's claims stay reserved
RECIPIENTS = 400


def _settings(group: FailoverGroup, tmp_path: Path) -> Settings:
    return own_settings(
        tmp_path,
        "aitodayfailover",
        redis_sentinels=group.sentinels,
        redis_master_name=group.name,
    )


def _env(settings: Settings, smtp: StallingSMTP | None = None) -> dict[str, str]:
    """What an operator sets: the Sentinels and the master's name, no REDIS_URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AITODAY_")}
    env.update(
        AITODAY_REDIS_SENTINELS=",".join(settings.redis_sentinels),
        AITODAY_REDIS_MASTER_NAME=settings.redis_master_name,
        AITODAY_KEY_PREFIX=settings.key_prefix,
        AITODAY_DATA_DIR=str(settings.data_dir),
        AITODAY_SECRET_KEY="test-secret-key-not-for-production",
        AITODAY_LOG__LEVEL="WARNING",
    )
    if smtp is not None:
        env.update(
            AITODAY_SMTP__HOST=smtp.host,
            AITODAY_SMTP__PORT=str(smtp.port),
            AITODAY_SMTP__STARTTLS="false",
            AITODAY_SMTP__TIMEOUT="5",
        )
    return env


def test_settings_with_sentinels_reach_the_master_they_name(tmp_path: Path) -> None:
    with FailoverGroup(tmp_path / "group").running() as group:
        settings = _settings(group, tmp_path)
        assert redis_url(settings) == f"redis://127.0.0.1:{group.primary_port}/0"
        store = open_store(settings)
        store.redis.set("aitodayfailover:probe", b"1")
        assert store.redis.get("aitodayfailover:probe") == b"1"
        group.kill_primary()
        group.wait_failover()
        # the same client, no restart: the next command reaches the promoted replica
        store.redis.set("aitodayfailover:probe", b"2")
        assert store.redis.get("aitodayfailover:probe") == b"2"
        assert redis_url(settings) == f"redis://127.0.0.1:{group.replica_port}/0"
        store.redis.close()


def test_the_primary_killed_mid_fan_out_every_recipient_gets_one_digest(
    tmp_path: Path,
) -> None:
    with FailoverGroup(tmp_path / "group").running() as group:
        settings = _settings(group, tmp_path)
        store = open_store(settings)
        edition = seed_edition(store, "email")
        subs = seed_subscribers(store, "email", RECIPIENTS)
        enqueue_batches(
            store, batches_for(store, edition, subs, size=100), lease_seconds=LEASE, in_flight=1
        )
        smtp = StallingSMTP(150)  # inside the second batch, one SMTP connection at a time
        with smtp.running():
            env = _env(settings, smtp)
            worker = aitoday(env, "worker", "--burst")
            try:
                if not smtp.stalled.wait(timeout=60):
                    raise AssertionError("the worker never reached message 150")
                group.kill_primary()
                group.wait_failover()
            finally:
                smtp.release.set()
            worker.communicate(timeout=240)  # it rides out the failover (or gives up)
            _resume(store, smtp, edition.id, env)
            counts = smtp.count_by_recipient()
        assert sorted(counts) == sorted(address("email", n) for n in range(RECIPIENTS))
        assert max(counts.values()) <= 2
        # DELIVERY-GUARANTEES.md: at most the chunks in flight (here one chunk) go twice
        assert sum(1 for c in counts.values() if c == 2) <= limits_for("email").send_chunk
        status = DeliveryRepo(store).status(edition.id)["email"]
        assert (status["sent"], status["pending"], status["failed"]) == (RECIPIENTS, 0, 0)
        store.redis.close()


def test_a_worker_on_sentinel_stops_on_sigterm_while_waiting_for_jobs(tmp_path: Path) -> None:
    """RQ's warm shutdown interrupts BLPOP; the next command must not queue behind it."""
    with FailoverGroup(tmp_path / "group").running() as group:
        settings = _settings(group, tmp_path)
        store = open_store(settings)
        env = _env(settings)
        worker = aitoday(env, "worker")
        try:
            deadline = time.monotonic() + 60
            while not [w for w in Worker.all(connection=store.redis) if w.get_state() == "idle"]:
                assert worker.poll() is None, worker.communicate()[1].decode()
                assert time.monotonic() < deadline, "the worker never started waiting"
                time.sleep(0.05)
            time.sleep(1)  # inside BLPOP by now
            worker.send_signal(signal.SIGTERM)
            _, err = worker.communicate(timeout=60)
        finally:
            if worker.poll() is None:  # the worker, its scheduler: the whole session
                os.killpg(worker.pid, signal.SIGKILL)
                worker.communicate()
        assert worker.returncode == 0, err.decode()
        assert Worker.all(connection=store.redis) == []
        store.redis.close()


def _resume(store: Store, smtp: StallingSMTP, edition_id: str, env: dict[str, str]) -> None:
    """What an operator does after the failover: re-queue what is not final, drain it."""
    time.sleep(LEASE + 0.5)  # the dead execution's lease runs out
    result = CliRunner().invoke(cli, ["deliveries", "retry", edition_id, "--pending-only"], env=env)
    assert result.exit_code == 0, result.output
    smtp_settings = store.settings.smtp.model_copy(
        update={"host": smtp.host, "port": smtp.port, "starttls": False}
    )
    settings = store.settings.model_copy(update={"smtp": smtp_settings})
    drain_here(Store(redis=store.redis, keys=store.keys, settings=settings))
