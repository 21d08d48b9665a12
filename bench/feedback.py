"""Learned weights in the digest tick: 100,000 editions ranked with and without them.

Run: ``.venv/bin/python -m bench.feedback`` (``AITODAY_BENCH_SUBSCRIBERS=20000`` for a
quicker run; ``AITODAY_BENCH_SEED=N`` draws other subscribers and other taps than the
default seed's, to check a result on data it was not tuned on). Uses the Redis at
127.0.0.1:6379 when it answers (else an embedded one) under a key prefix of its own,
deleted at the end.

The subscribers of bench.subscribers (zones, channels, languages, preferences), every
one due at the tick minute, over its 150 stories (their headlines name an organisation,
so entities count too). The baseline is the same tick in the same run with nobody having
tapped; then 30 % of the readers get 5-50 "more / less" taps each (60 % less, spread
over the last 90 days, on random stories of the pool) and the tick runs again. Both are
warm (the briefs each needs already written: a first tick with the taps writes the
briefs of the stories only tappers get) and run twice, alternately; the best of each
is compared.
"""

from __future__ import annotations

import gc
import os
import random
import time
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from bench.subscribers import (
    AT,
    bench_store,
    reset_tick,
    synth_stories,
    synth_subscribers,
    timed,
)
from core.editions.tick import TickResult, build_editions
from core.feedback import Direction, new_event
from core.models import Story, Subscriber, utcnow
from core.store.base import Store
from core.store.feedback import FeedbackRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo
from core.stories.learned import learn

TAPPING_SHARE = 0.30
TAPS = (5, 50)
LESS_SHARE = 0.6
TAP_DAYS = 90
ORGS = ("OpenAI", "Nvidia", "Google", "Anthropic", "Meta", "Mistral", "Microsoft", "Apple")
LIMIT = 1.5  # the learned tick may take at most this many times the baseline
SEED = int(os.environ.get("AITODAY_BENCH_SEED", "0"))  # 0: the default data


def all_due(subs: Sequence[Subscriber]) -> list[Subscriber]:
    """The same subscribers, each with their delivery time at the tick minute."""
    due = []
    for sub in subs:
        local = AT.astimezone(ZoneInfo(sub.timezone))
        clock = f"{local.hour:02d}:{local.minute:02d}"
        due.append(sub.model_copy(update={"delivery_time": clock}))
    return due


def named_stories() -> list[Story]:
    """bench.subscribers' stories, each headline naming an organisation, moved to the
    last day and a half before now (the tick's pool is the stories of the last 36 hours
    by the clock, whatever minute it is asked to build)."""
    shift = utcnow() - AT
    stories = []
    for n, story in enumerate(synth_stories()):
        articles = [a.model_copy(update={"published": a.published + shift}) for a in story.articles]
        update = {
            "title": f"{ORGS[n % len(ORGS)]} {story.title}",
            "articles": articles,
            "first_seen": story.first_seen + shift,
            "last_updated": story.last_updated + shift,
        }
        stories.append(story.model_copy(update=update))
    return stories


def store_taps(store: Store, subs: Sequence[Subscriber], stories: Sequence[Story]) -> int:
    """Taps for TAPPING_SHARE of ``subs`` with their learned weights; how many taps."""
    rng = random.Random(SEED or 23)
    repo = FeedbackRepo(store)
    half_life = store.settings.feedback.half_life_days
    total = 0
    pipe = store.redis.pipeline(transaction=False)
    for n, sub in enumerate(s for s in subs if rng.random() < TAPPING_SHARE):
        events = []
        for story in rng.sample(list(stories), rng.randint(*TAPS)):
            at = AT - timedelta(days=rng.uniform(0, TAP_DAYS))
            direction: Direction = "less" if rng.random() < LESS_SHARE else "more"
            events.append(new_event(story, direction, "email", at))
        events.sort(key=lambda e: e.at)
        total += len(events)
        repo.queue_write(pipe, sub.id, events, learn(events, AT, half_life).to_json())
        if n % 1000 == 999:
            pipe.execute()
    pipe.execute()
    return total


def forget_taps(store: Store) -> None:
    store.redis.delete(store.keys.feedback_learned())
    for key in store.redis.scan_iter(match=store.keys.feedback_events("*"), count=5000):
        store.redis.delete(key)


def main() -> None:
    count = int(os.environ.get("AITODAY_BENCH_SUBSCRIBERS", "100000"))
    store = bench_store()
    try:
        run(store, count)
    finally:
        for key in store.redis.scan_iter(match=store.keys.pattern(), count=5000):
            store.redis.delete(key)


def run(store: Store, count: int) -> None:
    started = time.perf_counter()
    subs = all_due(synth_subscribers(count, seed=SEED or 7))
    gc.freeze()  # as bench.subscribers: the bench's own 100,000 objects are not the tick's
    repo = SubscriberRepo(store)
    for start in range(0, len(subs), 5000):
        repo.add_many(subs[start : start + 5000], now=AT - timedelta(minutes=5))
    stories = named_stories()
    for story in stories:
        StoryRepo(store).save(story)
    print(f"{count:,} subscribers, all due at {AT.isoformat()}, stored in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    cold, cold_t = timed(lambda: build_editions(store, AT))
    print(f"cold tick (briefs written): {cold_t[0]:.2f} s wall, {cold.due:,} due")
    # The readers who tapped get stories nobody else got: their briefs are written once
    # (per story and language, not per reader), by this first tick with the taps.
    reset_tick(store, subs)
    store_taps(store, subs, stories)
    _, first_t = timed(lambda: build_editions(store, AT))
    print(f"first tick with taps (their extra briefs written): {first_t[0]:.2f} s wall")

    runs: dict[str, list[tuple[TickResult, tuple[float, float]]]] = {"base": [], "learned": []}
    taps = 0
    for round_no in range(2):
        for name in ("base", "learned"):
            reset_tick(store, subs)
            forget_taps(store)
            if name == "learned":
                taps = store_taps(store, subs, stories)
            gc.collect()
            runs[name].append(timed(lambda: build_editions(store, AT)))
        print(f"round {round_no + 1} done")
    report(runs, taps)


def report(runs: dict[str, list[tuple[TickResult, tuple[float, float]]]], taps: int) -> None:
    base = min(runs["base"], key=lambda r: r[1][0])
    learned = min(runs["learned"], key=lambda r: r[1][0])
    tappers = round(TAPPING_SHARE * 100)
    print("\nOne digest tick ranking every due reader's edition   wall s    cpu s"
          "   picks  editions")  # fmt: skip
    rows = (
        ("without learned weights (baseline)", base),
        (f"with learned weights ({tappers} % tapped, {taps:,} taps)", learned),
    )
    for name, (result, (wall, cpu)) in rows:
        print(f"  {name:48} {wall:8.2f} {cpu:8.2f} {result.picks:7,} {len(result.editions):9,}")
    print("  every run (wall s):", {k: [round(r[1][0], 2) for r in v] for k, v in runs.items()})
    ratio = learned[1][0] / base[1][0]
    verdict = "within" if ratio <= LIMIT else "OVER"
    print(f"  ratio learned / baseline (wall) {ratio:.2f} x ({verdict} {LIMIT} x)")
    print(f"  due readers ranked: {base[0].due:,} / {learned[0].due:,}")


if __name__ == "__main__":
    main()
