"""run_ingest's bookkeeping: progress, counters, the stored run report."""

from __future__ import annotations

import json

from core import metrics
from core.ingest.pipeline import run_ingest
from core.models import Source
from core.store.base import Store
from tests.fakes.publisher import Publisher, rss


async def test_progress_counters_and_last_run(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    pub.put("a.xml", rss("A", [("One", "https://a.example/1")]).encode())
    sources = [
        Source(id="a", url=f"{base}/feeds/a.xml", title="A"),
        Source(id="dead", url=f"{base}/gone", title="Dead"),
    ]
    calls: list[tuple[int, int]] = []
    report = await run_ingest(
        store, sources, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(1, 2), (2, 2)]
    counters = metrics.snapshot(store)
    assert counters["aitoday_ingest_fetches_total"] == {
        'outcome="ok"': 1.0,
        'outcome="failed"': 1.0,
    }
    assert counters["aitoday_ingest_new_articles_total"] == {"": 1.0}
    assert counters["aitoday_ingest_fetch_seconds_total"][""] > 0
    last = json.loads(store.redis.get(store.keys.ingest_last_run()) or "{}")
    assert last["new_articles"] == report.new_articles == 1
    assert last["failed"] == [{"source": "dead", "reason": "HTTP 410 Gone"}]
    assert last["disabled"][0]["source"] == "dead"
