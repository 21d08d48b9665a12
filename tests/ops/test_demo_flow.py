"""The demo end to end: local feeds -> stories -> editions -> outbox, on a real Redis."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from core.config import Settings
from core.store.base import Store
from workers.demo.flow import DEMO_SUBSCRIBERS, run_demo


def test_demo_delivers_one_digest_per_demo_subscriber(settings: Settings, store: Store) -> None:
    stages: Counter[str] = Counter()

    def step(stage: str, done: int, total: int) -> None:
        stages[stage] += 1

    result = run_demo(settings, step, now=datetime.now(UTC))
    assert result.feeds == 15 and not result.failed
    assert result.articles >= 140
    assert result.stories is None or result.stories < result.articles  # overlaps merged
    assert sorted(e.channel for e in result.editions) == sorted(c for c, *_ in DEMO_SUBSCRIBERS)
    for channel, outcomes in result.deliveries.items():
        assert outcomes == Counter({"sent": 1}), channel
    outbox = settings.digest.outbox_dir
    assert len(list((outbox / "maildir" / "new").iterdir())) == 1
    assert len(list((outbox / "slack").glob("*.json"))) == 1
    assert len(list((outbox / "line").glob("*.json"))) == 1
    page = (outbox / "index.html").read_text("utf-8")
    assert page.count('<section class="msg') == 3
    assert set(stages) >= {"fetch", "cluster", "subscribers", "editions", "deliver", "preview"}
    # The biggest demo event is told by eight sources: its brief names several.
    biggest = max(len(b.sources) for briefs in result.briefs.values() for b in briefs)
    assert biggest >= 3


def test_a_second_run_starts_clean(settings: Settings, store: Store) -> None:
    first = run_demo(settings)
    second = run_demo(settings)
    assert second.articles == first.articles  # the prefix was reset, nothing deduped away
    assert len(second.editions) == len(first.editions)
