"""Subscribers and editions: Redis memory per subscriber and one digest tick at scale.

Run: ``.venv/bin/python -m bench.subscribers`` (``AITODAY_BENCH_SUBSCRIBERS=20000`` for a
quicker run). Uses the Redis at 127.0.0.1:6379 when it answers (else an embedded one)
under a key prefix of its own, deleted at the end.

100,000 synthetic subscribers over 24 time zones, channels (60 % e-mail, 25 % LINE, 15 %
Slack, some with two), languages, frequencies and preferences; ~10 % of them have their
slot at the benchmark's tick minute. Measured, each against a baseline in the same run:

- memory per subscriber with MEMORY USAGE (record + due index + address lookups), against
  one key per subscriber holding the full pydantic JSON (defaults included);
- the tick that finds the due subscribers and builds their editions, against finding them
  by scanning every subscriber, and against one ``pick`` per subscriber and channel
  (no memo); a second run of the same tick (must build nothing).
"""

from __future__ import annotations

import gc
import os
import random
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import redis

from core.config import load_settings
from core.editions.schedule import last_slot
from core.editions.tick import DAILY_HOURS, TickResult, build_editions
from core.models import Story, StoryArticle, Subscriber, channels_due
from core.preferences import apply_setting, new_subscriber
from core.store.base import Store
from core.store.connection import keys_for
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo

# The tick minute: the last half hour by the clock, since the tick's story pool is the
# stories of the last 36 hours by the clock (a fixed date here left the daily pool empty).
_NOW = datetime.now(UTC)
AT = _NOW.replace(minute=_NOW.minute // 30 * 30, second=0, microsecond=0)
ZONES = (
    "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
    "America/Sao_Paulo", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
    "Africa/Lagos", "Asia/Dubai", "Asia/Kolkata", "Asia/Bangkok", "Asia/Singapore",
    "Asia/Shanghai", "Asia/Taipei", "Asia/Seoul", "Asia/Tokyo", "Australia/Sydney",
    "Pacific/Auckland", "America/Mexico_City", "Europe/Istanbul", "Asia/Jakarta", "UTC",
)  # fmt: skip
LANG_WEIGHTS = {
    "en": 55,
    "ja": 15,
    "zh-Hant": 8,
    "zh-Hans": 5,
    "ko": 5,
    "es": 4,
    "fr": 3,
    "de": 3,
    "th": 2,
}
TOPICS = ("models", "research", "policy", "safety", "chips", "business", "robotics", "open-source")
DUE_SHARE = 0.10
T = TypeVar("T")
BASELINE = "baseline (key per subscriber, full JSON)"


def bench_store() -> Store:
    """A store on the local Redis (or an embedded one) under a fresh prefix."""
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except (redis.ConnectionError, OSError):
        url = ""
    settings = load_settings(
        redis_url=url or None,
        key_prefix=f"aitodaybench-{uuid.uuid4().hex[:8]}",
        secret_key=secrets.token_urlsafe(32),  # config refuses short or placeholder keys
        data_dir="/tmp/aitoday-bench-subscribers",
    )
    from core.store.base import open_store

    return (
        open_store(settings)
        if not url
        else Store(redis=redis.Redis.from_url(url), keys=keys_for(settings), settings=settings)
    )


def synth_subscribers(count: int, seed: int = 7) -> list[Subscriber]:
    """Subscribers spread over zones, channels, languages and preferences."""
    rng = random.Random(seed)
    langs = list(LANG_WEIGHTS)
    weights = list(LANG_WEIGHTS.values())
    made: list[Subscriber] = []
    for n in range(count):
        zone = rng.choice(ZONES)
        due_now = rng.random() < DUE_SHARE
        local = AT.astimezone(ZoneInfo(zone))
        if due_now:
            clock = f"{local.hour:02d}:{local.minute:02d}"
        else:  # 05:00-09:55 local in 5-minute steps, never the tick minute itself
            while True:
                clock = f"{rng.randint(5, 9):02d}:{rng.randrange(0, 60, 5):02d}"
                if clock != f"{local.hour:02d}:{local.minute:02d}":
                    break
        roll = rng.random()
        channels: dict[str, Any] = {}  # keyword arguments of new_subscriber
        if roll < 0.60:
            channels["email"] = f"user{n}@example.com"
        elif roll < 0.85:
            channels["line"] = f"U{n:032x}"
        else:
            channels["slack"] = f"T{n % 97:08d}/C{n:010d}"
        if rng.random() < 0.10:
            channels.setdefault("slack", f"T{n % 97:08d}/U{n:010d}")
        sub = new_subscriber(
            **channels,
            timezone=zone,
            delivery_time=clock,
            language=rng.choices(langs, weights)[0],
            frequency=rng.choices(("daily", "weekdays", "weekly:fri"), (85, 10, 5))[0],
            subscriber_id=f"{n:012x}",
            now=AT - timedelta(days=3),
        )
        made.append(_prefs(sub, rng))
    return made


def _prefs(sub: Subscriber, rng: random.Random) -> Subscriber:
    if rng.random() < 0.3:
        sub = apply_setting(sub, "topics", ",".join(rng.sample(TOPICS, rng.randint(1, 2))))
    if rng.random() < 0.05:
        sub = apply_setting(sub, "mute", "word:crypto")
    if rng.random() < 0.1:
        sub = apply_setting(sub, f"{sub.channels[0].channel}.items", str(rng.choice((3, 10))))
    if rng.random() < 0.05:
        sub = apply_setting(sub, "breaking", "on")
    return sub


def synth_stories(count: int = 150, seed: int = 11) -> list[Story]:
    """Stories of the last day and a half, with topics and a few sources each."""
    rng = random.Random(seed)
    stories = []
    for n in range(count):
        first = AT - timedelta(hours=rng.uniform(1, DAILY_HOURS - 1))
        sources = rng.sample([f"src{i}" for i in range(40)], rng.randint(1, 6))
        articles = [
            StoryArticle(
                id=f"a{n}-{i}",
                source_id=source,
                url=f"https://{source}.example/news/{n}",
                title=f"Story {n}: lab {n % 17} ships model {n} with {rng.choice(TOPICS)} news",
                published=first + timedelta(minutes=10 * i),
            )
            for i, source in enumerate(sources)
        ]
        stories.append(
            Story(
                id=f"{n:016x}",
                title=articles[0].title,
                articles=articles,
                first_seen=first,
                last_updated=articles[-1].published,
                source_count=len(sources),
                topics=rng.sample(TOPICS, rng.randint(1, 2)),
                score=rng.random(),
            )
        )
    return stories


def memory(store: Store, keys: Sequence[str]) -> int:
    """Exact bytes held by ``keys`` (MEMORY USAGE ... SAMPLES 0)."""
    total = 0
    for key in keys:
        used: Any = store.redis.memory_usage(key, samples=0)
        total += int(used or 0)
    return total


def measure_memory(store: Store, subs: Sequence[Subscriber]) -> dict[str, float]:
    """Bytes per subscriber for our layout and for a key-per-subscriber baseline."""
    k = store.keys
    ours = {
        "record": memory(store, [k.subscribers()]),
        "due index": memory(store, [k.subscriber_due()]),
        "address lookups": memory(
            store, [k.subscriber_address(c) for c in ("email", "line", "slack")]
        ),
        "breaking set": memory(store, [k.subscriber_breaking()]),
    }
    sample = subs[:10_000]
    pipe = store.redis.pipeline(transaction=False)
    for sub in sample:
        pipe.set(k.bench_scratch(sub.id), sub.model_dump_json())
    pipe.execute()
    baseline = memory(store, [k.bench_scratch(s.id) for s in sample]) / len(sample)
    for key in store.redis.scan_iter(match=k.bench_scratch("*"), count=5000):
        store.redis.delete(key)
    result = {name: value / len(subs) for name, value in ours.items()}
    result["total"] = sum(result.values())
    result[BASELINE] = baseline
    return result


def scan_due(store: Store, window: timedelta) -> int:
    """Baseline: find the due subscribers by reading and checking every one."""
    due = 0
    for sub in SubscriberRepo(store).iter_all(batch=2000):
        if last_slot(sub, AT, window) is not None:
            due += 1
    return due


def unmemoized_picks(store: Store, at: datetime) -> tuple[int, float]:
    """Baseline: one pick per due subscriber and channel."""
    from core.editions.variants import item_limit
    from core.stories.personalize import pick

    repo = SubscriberRepo(store)
    pool = list(StoryRepo(store).recent(DAILY_HOURS, limit=150))
    subs = repo.get_many(repo.due(at))
    started = time.perf_counter()
    calls = 0
    for sub in subs:
        found = last_slot(sub, at, timedelta(minutes=180))
        if found is None:
            continue
        for channel in channels_due(sub, found[0]):
            pick(pool, sub.prefs, limit=item_limit(sub, channel), already_sent=frozenset())
            calls += 1
    return calls, time.perf_counter() - started


def reset_tick(store: Store, subs: Sequence[Subscriber]) -> None:
    """Undo a tick's claims, sent history and moves, keeping the briefs it wrote."""
    k = store.keys
    patterns = (k.slot_marker("*"), k.subscriber_sent("*"), k.edition("*"))
    store.redis.delete(k.editions_by_time())
    for pattern in patterns:
        for key in store.redis.scan_iter(match=pattern, count=5000):
            store.redis.delete(key)
    repo = SubscriberRepo(store)
    for start in range(0, len(subs), 5000):
        repo.add_many(subs[start : start + 5000], now=AT - timedelta(minutes=5))


def main() -> None:
    count = int(os.environ.get("AITODAY_BENCH_SUBSCRIBERS", "100000"))
    store = bench_store()
    try:
        run(store, count)
    finally:
        for key in store.redis.scan_iter(match=store.keys.pattern(), count=5000):
            store.redis.delete(key)


def run(store: Store, count: int) -> None:
    """Every measurement, printed as tables (each row against its baseline)."""
    subs = store_subscribers(store, count)
    print_memory(measure_memory(store, subs))
    stories = synth_stories()
    story_repo = StoryRepo(store)
    for story in stories:
        story_repo.save(story)
    print_due(store)
    warm = print_tick(store, subs)
    per_day = history_memory(store, warm.due)
    print("\nMemory a digest adds per due subscriber (bytes, expiring)")
    for name, value in per_day.items():
        print(f"  {name:44} {value:8.0f}")


def store_subscribers(store: Store, count: int) -> list[Subscriber]:
    """``count`` synthetic subscribers, stored; prints how long each part took."""
    started = time.perf_counter()
    subs = synth_subscribers(count)
    made = time.perf_counter() - started
    # The bench holds 100,000 Subscriber objects that a cron process never holds; keep
    # the garbage collector from walking them during every measured step.
    gc.freeze()
    repo = SubscriberRepo(store)
    started = time.perf_counter()
    for start in range(0, len(subs), 5000):
        repo.add_many(subs[start : start + 5000], now=AT - timedelta(minutes=5))
    stored = time.perf_counter() - started
    print(f"{count:,} subscribers built in {made:.1f} s, stored in {stored:.1f} s")
    return subs


def print_memory(mem: dict[str, float]) -> None:
    print("\nRedis memory per subscriber (MEMORY USAGE, bytes)")
    for name, value in mem.items():
        print(f"  {name:44} {value:8.0f}")
    ratio = mem[BASELINE] / mem["total"]
    print(f"  {'ratio baseline / ours':44} {ratio:8.2f}")


def print_due(store: Store) -> None:
    """The due index against reading every subscriber."""
    repo = SubscriberRepo(store)
    # The subscribers whose slot falls in the last tick interval: what the index answers.
    window = timedelta(minutes=store.settings.digest.tick_minutes, seconds=-1)
    scanned, scan_t = timed(lambda: scan_due(store, window))
    indexed, index_t = timed(lambda: len(repo.due(AT)))
    print("\nFinding the due subscribers            wall s    cpu s")
    print(f"  scan every subscriber (baseline)  {scan_t[0]:8.3f} {scan_t[1]:8.3f}  {scanned:,} due")
    print(f"  due index (ZRANGEBYSCORE)         {index_t[0]:8.3f} {index_t[1]:8.3f}  {indexed:,}")
    print(f"  ratio (wall)                      {scan_t[0] / max(index_t[0], 1e-6):8.0f} x")


def print_tick(store: Store, subs: Sequence[Subscriber]) -> TickResult:
    """The tick dry, cold, again and warm, and memoized against one pick each; the warm one."""
    (calls, nomemo), _ = timed(lambda: unmemoized_picks(store, AT))
    dry, dry_t = timed(lambda: build_editions(store, AT, dry_run=True))
    tick, tick_t = timed(lambda: build_editions(store, AT))
    again, again_t = timed(lambda: build_editions(store, AT))
    reset_tick(store, subs)
    warm, warm_t = timed(lambda: build_editions(store, AT))

    print("\nOne digest tick at", AT.isoformat(), "         wall s    cpu s")
    rows = [
        ("dry run (no briefs, no writes)", dry_t, f"due {dry.due:,}"),
        ("tick, briefs written (cold)", tick_t, f"due {tick.due:,}"),
        ("tick, briefs cached (warm)", warm_t, f"due {warm.due:,}"),
        ("same tick again (idempotent)", again_t, f"editions {len(again.editions)}"),
    ]
    for name, (wall, cpu), note in rows:
        print(f"  {name:32} {wall:8.2f} {cpu:8.2f}  {note}")
    print(
        f"  editions (variants) {len(tick.editions):,}, batches {len(tick.batches):,}, "
        f"recipients {tick.recipients:,}, kinds {dict(Counter(e.kind for e in tick.editions))}, "
        f"channels {dict(Counter(e.channel for e in tick.editions))}"
    )
    print(
        f"  personalization: {tick.picks:,} pick runs (memoized) vs {calls:,} "
        f"(one per subscriber and channel, baseline: {nomemo:.2f} s wall)"
    )
    return warm


def history_memory(store: Store, due: int) -> dict[str, float]:
    """Sent history (SENT_TTL) and the day's slot claim, per subscriber who got a digest."""
    sent_keys = list(store.redis.scan_iter(match=store.keys.subscriber_sent("*"), count=5000))
    sample = sent_keys[:2000]
    sent = memory(store, [k.decode() for k in sample]) / max(len(sample), 1)
    markers = list(store.redis.scan_iter(match=store.keys.slot_marker("*"), count=100))
    claims = memory(store, [k.decode() for k in markers]) / max(due, 1)
    repo = SubscriberRepo(store)
    ids = [f"weekbench{n}" for n in range(200)]
    for day in range(7):  # seven daily digests, each an edition
        repo.mark_editions_sent([(ids, f"{day:016x}")], AT + timedelta(days=day))
    weekly = memory(store, [store.keys.subscriber_sent(i) for i in ids]) / len(ids)
    return {
        "sent history after one digest": sent,
        "sent history after a week (7 editions)": weekly,
        "slot claim (per local day, 3-day TTL)": claims,
    }


def timed(work: Callable[[], T]) -> tuple[T, tuple[float, float]]:
    """The result of ``work`` with its wall-clock and CPU seconds (this process only)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, (time.perf_counter() - wall, time.process_time() - cpu)


if __name__ == "__main__":
    main()
