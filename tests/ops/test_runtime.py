"""cron, run and status: one acting cron, clean stops on SIGTERM, a status that reads Redis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from core.config import Settings
from core.store.base import Store
from tests.waiting import eventually
from workers.cli import cli
from workers.cron import Cron, Job, read_state
from workers.status import collect, lines

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _recording(calls: list[str], name: str) -> Any:
    def step(store: Store, at: datetime) -> Mapping[str, Any]:
        calls.append(name)
        return {"at": at.isoformat()}

    return step


def _failing(store: Store, at: datetime) -> Mapping[str, Any]:
    raise RuntimeError("feed parser exploded")


def test_jobs_run_when_due_and_a_failure_does_not_stop_the_other(store: Store) -> None:
    calls: list[str] = []
    clock = Clock()
    jobs = [
        Job("ingest", timedelta(minutes=30), _recording(calls, "ingest")),
        Job("broken", timedelta(minutes=5), _failing),
        Job("tick", timedelta(minutes=5), _recording(calls, "tick")),
    ]
    cron = Cron(store, jobs, clock=clock)
    assert cron.lock.acquire()
    assert cron.run_pending() == ["ingest", "broken", "tick"]
    assert cron.run_pending() == []
    clock.now += timedelta(minutes=5)
    assert cron.run_pending() == ["broken", "tick"]
    clock.now += timedelta(minutes=25)
    assert cron.run_pending() == ["ingest", "broken", "tick"]
    assert calls == ["ingest", "tick", "tick", "ingest", "tick"]
    state = read_state(store)
    assert "feed parser exploded" in state["broken"]["last_error"]
    assert state["tick"]["last_result"] == {"at": clock.now.isoformat()}
    assert cron.seconds_to_next() == 300.0


def test_a_failing_job_keeps_no_address_in_its_last_error(store: Store) -> None:
    def leaky(store: Store, at: datetime) -> Mapping[str, Any]:
        raise ValueError("cannot deliver to alice.smith@example.com")

    cron = Cron(store, [Job("leaky", timedelta(minutes=5), leaky)], clock=Clock())
    assert cron.lock.acquire()
    assert cron.run_pending() == ["leaky"]
    error = read_state(store)["leaky"]["last_error"]
    assert "alice.smith@example.com" not in error and "example.com" in error


def test_only_one_cron_acts(store: Store) -> None:
    first, second = Cron(store, []), Cron(store, [])
    assert first.lock.acquire()
    assert first.lock.acquire()  # renewing our own lock
    assert not second.lock.acquire()
    assert not second.run_all()
    first.lock.release()
    assert second.lock.acquire()


def test_serve_returns_on_stop_and_releases_the_lock(store: Store) -> None:
    calls: list[str] = []
    cron = Cron(store, [Job("tick", timedelta(minutes=5), _recording(calls, "tick"))])
    stop = threading.Event()
    thread = threading.Thread(target=cron.serve, args=(stop,), kwargs={"idle_seconds": 0.2})
    thread.start()
    eventually(lambda: calls, interval=0.05)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert calls == ["tick"]
    assert cron.lock.holder() is None


def _env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        AITODAY_REDIS_URL=settings.redis_url or "",
        AITODAY_KEY_PREFIX=settings.key_prefix,
        AITODAY_DATA_DIR=str(settings.data_dir),
        AITODAY_SECRET_KEY="test-secret-key-not-for-production",
        PYTHONPATH=str(ROOT),
    )
    return env


def _ingest_just_ran(store: Store) -> None:
    # The real ingest would fetch the 324 shipped sources from the internet.
    now = datetime.now(UTC).isoformat()
    store.redis.hset(store.keys.cron_state(), "ingest:last_at", now)


def _wait_for(predicate: Any, seconds: float = 30.0) -> None:
    assert eventually(predicate, timeout=seconds, interval=0.1), "condition not met in time"


def test_cron_process_ticks_then_stops_cleanly_on_sigterm(store: Store) -> None:
    _ingest_just_ran(store)
    process = subprocess.Popen(
        [sys.executable, "-m", "workers.cli", "cron"],
        env=_env(store.settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(lambda: "tick" in read_state(store))
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    assert b"stopped" in err
    tick = read_state(store)["tick"]
    assert "last_error" not in tick, tick
    assert tick["last_result"]["editions"] == 0
    assert not store.redis.exists(store.keys.cron_lock())


@pytest.mark.slow
def test_run_supervises_worker_and_cron_and_stops_them_on_sigterm(store: Store) -> None:
    _ingest_just_ran(store)
    process = subprocess.Popen(
        [sys.executable, "-m", "workers.cli", "run", "--no-web", "--workers", "1"],
        env=_env(store.settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(lambda: "tick" in read_state(store) and collect(store)["workers"])
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            # generous: RQ's warm shutdown waits for its scheduler on a loaded machine
            _, err = process.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            # its children run in sessions of their own: stop them first, then it
            subprocess.run(["pkill", "-KILL", "-P", str(process.pid)], check=False)
            process.kill()
            process.communicate()
            raise
    assert process.returncode == 0, err.decode()
    text = err.decode()
    assert "cron stopped" in text and "worker-1 stopped" in text
    assert "killing" not in text
    _wait_for(lambda: not collect(store)["workers"], seconds=10)


def test_status_reports_queues_cron_ingest_today_and_spend(store: Store) -> None:
    store.redis.set(
        store.keys.ingest_last_run(),
        json.dumps({"fetched": 3, "not_modified": 1, "failed": [], "new_articles": 12}),
    )
    report = collect(store)
    assert {q["name"] for q in report["queues"]} == {
        f"{store.keys.prefix}-{c}" for c in ("email", "slack", "line")
    }
    assert report["ingest"]["last_run"]["new_articles"] == 12
    assert report["today"]["editions"] == 0
    assert report["llm"]["cost_usd"] == 0
    text = "\n".join(lines(report))
    assert "new articles 12" in text and "LLM today" in text


def test_status_command_prints_json(settings: Settings, store: Store) -> None:
    env = {
        "AITODAY_REDIS_URL": settings.redis_url or "",
        "AITODAY_KEY_PREFIX": settings.key_prefix,
        "AITODAY_DATA_DIR": str(settings.data_dir),
    }
    result = CliRunner().invoke(cli, ["status", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["cron"]["lock_held"] is False
