"""The whole job once, on embedded defaults: what ``aitoday demo`` runs.

Serve the bundled feeds on 127.0.0.1 -> ingest -> cluster -> three demo subscribers
(e-mail, a Slack channel, a LINE user) in three time zones, each due now -> the digest
tick builds their editions (and the briefs, extractive unless ``AITODAY_LLM__MODEL``) ->
batches go through the real RQ queues and are drained by a burst worker -> the adapters
write to ``./outbox`` -> ``outbox/index.html`` draws every message.

The demo keeps its data apart: the embedded Redis under ``./.aitoday/demo`` (or
``AITODAY_REDIS_URL`` when set) and the key prefix ``aitodaydemo``, whose keys are deleted
at the start of every run, so a rerun starts clean and never touches a real install.
``aitoday web --demo`` (``make web``) serves that data, so the links in the demo messages work.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.config import Settings, load_settings
from core.ingest.sources import default_sources
from core.models import Article, Brief, Edition, Subscriber, utcnow
from core.store.base import Store, open_store
from workers.demo.feedserver import DemoFeedServer

DEMO_PREFIX = "aitodaydemo"
DEMO_DATA_DIR = Path(".aitoday/demo")
OUTBOX_PARTS = ("maildir", "slack", "line", "index.html")

# (channel, address, time zone, language): who the demo delivers to.
DEMO_SUBSCRIBERS: tuple[tuple[str, str, str, str], ...] = (
    ("email", "ada@example.com", "Europe/London", "en"),
    ("slack", "T0AITODAY/C0DEMONEWS", "America/New_York", "en"),
    ("line", "U4af4980629e1d2a1b7d1f5c2e8a0d3b1", "Asia/Tokyo", "ja"),
)

Step = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class DemoResult:
    """What a demo run did, for the summary."""

    feeds: int = 0
    fetched: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    articles: int = 0
    stories: int = 0  # stories the clustering created or changed
    subscribers: list[Subscriber] = field(default_factory=list)
    editions: list[Edition] = field(default_factory=list)
    briefs: dict[str, list[Brief]] = field(default_factory=dict)  # edition id -> briefs
    deliveries: dict[str, Counter[str]] = field(default_factory=dict)  # channel -> outcomes
    outbox: Path = Path("outbox")
    index: Path | None = None
    seconds: float = 0.0


def demo_settings(outbox: Path = Path("outbox"), data_dir: Path = DEMO_DATA_DIR) -> Settings:
    """Settings from the environment, with the demo's data dir, prefix and outbox."""
    return load_settings(
        data_dir=data_dir,
        key_prefix=DEMO_PREFIX,
        fetch={"allow_private": True},
        digest={"outbox_dir": outbox},
    )


def demo_image_base(settings: Settings) -> str:
    """Where the demo pages' lead images live after the demo: the web app's static copies
    (``bots/static/demo``), so ``aitoday web --demo`` serves them."""
    return f"{settings.web.base_url.rstrip('/')}/static/demo"


def reset(store: Store) -> None:
    """Delete the demo prefix's keys and empty its queues and outbox (a clean rerun)."""
    from workers.queues import all_queues

    store.delete_all()
    for queue in all_queues(store):
        queue.empty()  # type: ignore[no-untyped-call]
    outbox = store.settings.digest.outbox_dir
    for part in OUTBOX_PARTS:
        path = outbox / part
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def run_demo(
    settings: Settings, step: Step | None = None, *, now: datetime | None = None
) -> DemoResult:
    """Run every stage once; ``step`` is told about progress (the CLI draws bars)."""
    started = time.perf_counter()
    tell = step or (lambda stage, done, total: None)
    now = now or utcnow()
    store = open_store(settings, shipped_sources=default_sources)
    reset(store)
    result = DemoResult(outbox=settings.digest.outbox_dir)
    with DemoFeedServer(image_base=demo_image_base(settings)) as server:
        articles = ingest(store, server, result, tell)
    cluster(store, articles, result, tell)
    result.subscribers = add_subscribers(store, now, tell)
    build_and_deliver(store, now, result, tell)
    from workers.demo.preview import write_index

    result.index = write_index(result.outbox)
    tell("preview", 1, 1)
    result.seconds = time.perf_counter() - started
    return result


def ingest(store: Store, server: DemoFeedServer, result: DemoResult, tell: Step) -> list[Article]:
    """Fetch the demo feeds from the local server; return the new articles."""
    from core.ingest.pipeline import run_ingest
    from core.ingest.sources import load_opml

    sources = load_opml(server.opml())
    result.feeds = len(sources)
    tell("fetch", 0, len(sources))

    def progress(done: int, total: int) -> None:
        tell("fetch", done, total)

    report = asyncio.run(run_ingest(store, sources, progress=progress))
    result.fetched, result.failed = report.fetched, report.failed
    result.articles = report.new_articles
    tell("fetch", len(sources), len(sources))
    return list(report.articles)


def cluster(store: Store, articles: list[Article], result: DemoResult, tell: Step) -> None:
    """Group the articles into stories with the production clustering."""
    from core.stories.service import update_stories  # the stories room owns it

    tell("cluster", 0, 1)
    updated = update_stories(store, articles)
    result.stories = len(updated)
    tell("cluster", 1, 1)


def add_subscribers(store: Store, now: datetime, tell: Step) -> list[Subscriber]:
    """The three demo subscribers, each due at their local "now" in their own zone."""
    from core.preferences import new_subscriber
    from core.store.subscribers import SubscriberRepo

    repo = SubscriberRepo(store)
    subs = []
    for n, (channel, address, zone, language) in enumerate(DEMO_SUBSCRIBERS, start=1):
        local = (now - timedelta(minutes=1)).astimezone(ZoneInfo(zone))
        addresses: dict[str, Any] = {channel: address}
        sub = new_subscriber(
            **addresses,
            timezone=zone,
            delivery_time=local.strftime("%H:%M"),
            language=language,
            subscriber_id=f"demo-{channel}",
            now=now - timedelta(hours=1),
        )
        subs.append(repo.add(sub, now=now - timedelta(hours=1)))
        tell("subscribers", n, len(DEMO_SUBSCRIBERS))
    return subs


def build_and_deliver(store: Store, now: datetime, result: DemoResult, tell: Step) -> None:
    """The digest tick at ``now``, then a burst worker through the real queues."""
    from rq import SimpleWorker

    from core.editions.tick import build_editions
    from core.store.deliveries import DeliveryRepo
    from core.store.editions import EditionRepo
    from workers.cli.worker import drain
    from workers.fanout import enqueue_batches
    from workers.jobs import configure
    from workers.queues import all_queues

    tell("editions", 0, 1)
    tick = build_editions(store, now)
    result.editions = tick.editions
    tell("editions", 1, 1)
    tell("deliver", 0, len(tick.batches))
    enqueue_batches(store, tick.batches)
    configure(store.settings, store)
    drain(store, all_queues(store), SimpleWorker, logging_level="WARNING")
    tell("deliver", len(tick.batches), len(tick.batches))
    editions, deliveries = EditionRepo(store), DeliveryRepo(store)
    for edition in tick.editions:
        result.briefs[edition.id] = editions.load_for_render(edition.id).briefs
        for channel, counts in deliveries.status(edition.id).items():
            result.deliveries.setdefault(channel, Counter()).update(
                {k: v for k, v in counts.items() if v}
            )
