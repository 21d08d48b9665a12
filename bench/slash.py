"""Slack slash commands through the real web app: ack latency and ``today`` answer time.

Run: ``.venv/bin/python -m bench.slash`` (``AITODAY_BENCH_SLASH_ROUNDS=2`` for a quicker
run). Serves ``bots.web.create_app`` with uvicorn on a local port (single-workspace mode),
the fake Slack Web API of tests/fakes as Slack (auth.test and the ``response_url`` the
answers go to) and Redis (``AITODAY_REDIS_URL``, else 127.0.0.1:6379 when it answers, else
embedded). 30 stories are stored first. Each round sends 50 signed ``/aitoday today``
requests at once.

Measured: ack latency (HTTP response to Slack, target p99 <= 100 ms) and answer time
(request sent -> answer received at the response_url, target p99 <= 500 ms).
Baselines, same run and same concurrency: ``GET /healthz`` through the same server (the
floor for any request) and ``core.commands.answer(.., "today")`` called in-process (the
command's own cost, without HTTP, Slack signatures or Bolt).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import httpx
import redis

from core.config import Settings, load_settings
from core.ingest.sources import default_sources
from core.models import Story, StoryArticle, utcnow
from core.store.base import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
BENCH_SECRET_KEY = secrets.token_urlsafe(32)  # config refuses short or placeholder keys
CONCURRENCY = 50
STORIES = 30


def _redis_url() -> str | None:
    url = os.environ.get("AITODAY_REDIS_URL")
    if url:
        return url
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=0.5)
    try:
        client.ping()
        return "redis://127.0.0.1:6379/0"
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return None
    finally:
        client.close()


def _settings(tmp: Path, api_base: str) -> Settings:
    return load_settings(
        redis_url=_redis_url(),
        data_dir=tmp / "data",
        key_prefix=f"aitodaybench-{uuid.uuid4().hex[:8]}",
        secret_key=BENCH_SECRET_KEY,
        slack={"signing_secret": SECRET, "bot_token": TOKEN, "api_base": api_base},
        log={"level": "WARNING"},
    )


def seed_stories(store: Store, count: int = STORIES) -> int:
    """Store ``count`` stories of the last day; 0 when the story repository is missing."""
    try:
        from core.store.stories import StoryRepo
    except ImportError:
        return 0
    repo = StoryRepo(store)
    now = utcnow()
    for n in range(count):
        when = now - timedelta(minutes=20 * n)
        articles = [
            StoryArticle(
                id=f"a{n}-{k}",
                source_id=f"source-{k}",
                url=f"https://news{k}.example.com/{n}",
                title=f"Lab {n} releases model {n} with longer context",
                published=when,
            )
            for k in range(1 + n % 4)
        ]
        repo.save(
            Story(
                id=f"bench-story-{n:03d}",
                title=f"Lab {n} releases model {n} with longer context",
                articles=articles,
                first_seen=when,
                last_updated=when,
                source_count=len(articles),
                topics=["models"],
                score=100.0 - n,
            )
        )
    return count


def _command(text: str, response_url: str) -> bytes:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C0BENCH",
            "user_id": "U0BENCH",
            "command": "/aitoday",
            "text": text,
            "response_url": response_url,
            "trigger_id": uuid.uuid4().hex,
        }
    ).encode()


def _signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": "v0=" + mac.hexdigest(),
    }


async def _timed(call: Any) -> float:
    started = time.perf_counter()
    await call
    return (time.perf_counter() - started) * 1000


async def _get(session: aiohttp.ClientSession, url: str) -> None:
    async with session.get(url) as response:
        await response.read()


async def _healthz(session: aiohttp.ClientSession, base: str, rounds: int, n: int) -> list[float]:
    times: list[float] = []
    for _ in range(rounds):
        times += await asyncio.gather(*(_timed(_get(session, base + "/healthz")) for _ in range(n)))
    return times


async def _slash(
    session: aiohttp.ClientSession, base: str, fake: Any, text: str, rounds: int, n: int
) -> tuple[list[float], list[float]]:
    """``rounds`` bursts of ``n`` commands sent at once; each burst's answers are awaited
    before the next burst, so every burst meets an idle server (Slack traffic is bursty:
    a channel asks at 9:00, not continuously)."""
    acks: list[float] = []
    answers: list[float] = []

    async def one(sent: dict[str, float]) -> float:
        hook = uuid.uuid4().hex
        body = _command(text, fake.response_url(hook))
        sent[hook] = time.time()
        started = time.perf_counter()
        async with session.post(base + "/slack/events", data=body, headers=_signed(body)) as r:
            await r.read()
            if r.status != 200:
                raise RuntimeError(f"ack failed: {r.status}")
        return (time.perf_counter() - started) * 1000

    for _ in range(rounds):
        sent: dict[str, float] = {}
        acks += await asyncio.gather(*(one(sent) for _ in range(n)))
        if text != "help":
            answers += await _answers(fake, sent)
    return acks, answers


async def _answers(fake: Any, sent: dict[str, float]) -> list[float]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = {c.args.get("_hook"): c.at for c in fake.responses()}
        if all(h in got for h in sent):
            return [(got[h] - t) * 1000 for h, t in sent.items()]
        await asyncio.sleep(0.02)
    raise RuntimeError("answers did not all arrive within 60 s")


async def _in_process(store: Store, rounds: int) -> list[float]:
    from core.commands import Chat, answer

    times: list[float] = []
    for _ in range(rounds):
        times += await asyncio.gather(
            *(
                _timed(answer(store, Chat("slack", f"T0001/C{n}"), "today"))
                for n in range(CONCURRENCY)
            )
        )
    return times


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _row(name: str, values: list[float], target: str, base: float | None) -> str:
    p50, p99 = _p(values, 50), _p(values, 99)
    ratio = f"{p50 / base:.1f}x" if base else "-"
    return f"| {name} | {len(values)} | {p50:.1f} | {p99:.1f} | {target} | {ratio} |"


async def _run(store: Store, fake: Any, base: str, rounds: int) -> list[str]:
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:
        await _healthz(session, base, 1, CONCURRENCY)  # warm-up: connections, auth.test
        await _slash(session, base, fake, "today", 1, CONCURRENCY)
        fake.reset()
        one_health = await _healthz(session, base, 40, 1)
        one_acks, one_answers = await _slash(session, base, fake, "today", 40, 1)
        health = await _healthz(session, base, rounds, CONCURRENCY)
        help_acks, _ = await _slash(session, base, fake, "help", rounds, CONCURRENCY)
        fake.reset()
        acks, answers = await _slash(session, base, fake, "today", rounds, CONCURRENCY)
    direct = await _in_process(store, rounds)
    floor, one_floor = _p(health, 50), _p(one_health, 50)
    return [
        "| measure | n | p50 ms | p99 ms | target p99 | p50 vs baseline |",
        "| --- | --- | --- | --- | --- | --- |",
        _row("one at a time: GET /healthz (baseline)", one_health, "-", None),
        _row("one at a time: `/aitoday today` ack", one_acks, "-", one_floor),
        _row("one at a time: `today` answer at response_url", one_answers, "-", None),
        _row("50 concurrent: GET /healthz (baseline)", health, "-", None),
        _row("50 concurrent: `/aitoday help` ack (answer inside)", help_acks, "<= 100 ms", floor),
        _row("50 concurrent: `/aitoday today` ack", acks, "<= 100 ms", floor),
        _row("50 concurrent: `today` answer at response_url", answers, "<= 500 ms", None),
        _row("50 concurrent: commands.answer('today') in-process", direct, "-", None),
    ]


@contextmanager
def web_process(settings: Settings, port: int, workers: int) -> Iterator[str]:
    """``aitoday web`` in its own process(es), as production runs it; yields its URL."""
    env = {
        **os.environ,
        "AITODAY_REDIS_URL": settings.redis_url or "",
        "AITODAY_DATA_DIR": str(settings.data_dir),
        "AITODAY_KEY_PREFIX": settings.key_prefix,
        "AITODAY_SECRET_KEY": BENCH_SECRET_KEY,
        "AITODAY_SLACK__SIGNING_SECRET": SECRET,
        "AITODAY_SLACK__BOT_TOKEN": TOKEN,
        "AITODAY_SLACK__API_BASE": settings.slack.api_base or "",
        "AITODAY_LOG__LEVEL": "WARNING",
    }
    if not settings.redis_url:
        env.pop("AITODAY_REDIS_URL")
    command = [sys.executable, "-m", "workers.cli", "web", "--port", str(port)]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("aitoday web did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def main() -> None:
    from tests.fakes.server import free_port
    from tests.fakes.slack_api import FakeSlack

    rounds = int(os.environ.get("AITODAY_BENCH_SLASH_ROUNDS", "4"))
    workers = int(os.environ.get("AITODAY_BENCH_SLASH_WORKERS", "1"))
    fake = FakeSlack(tokens={TOKEN: "T0001"}, channel_burst=10_000)
    with tempfile.TemporaryDirectory() as tmp, fake.running() as api_base:
        settings = _settings(Path(tmp), api_base)
        store = open_store(settings, shipped_sources=default_sources)
        try:
            seeded = seed_stories(store)
            with web_process(settings, free_port(), workers) as base_url:
                table = asyncio.run(_run(store, fake, base_url, rounds))
        finally:
            for key in store.redis.scan_iter(match=store.keys.pattern(), count=1000):
                store.redis.delete(key)
    print(f"stories stored: {seeded}; {rounds} rounds x {CONCURRENCY} concurrent requests;")
    print(f"web: `aitoday web --workers {workers}` in its own process; client: aiohttp")
    print("\n".join(table))
    if fake.violations:
        print("fake Slack violations:", *fake.violations[:5], sep="\n  ")


if __name__ == "__main__":
    main()
