"""The demo's feed server plays the publishers' sites: every demo item has a page."""

from __future__ import annotations

from core.ingest.pipeline import run_ingest
from core.ingest.sources import load_opml
from core.store.base import Store
from workers.demo.feedserver import DemoFeedServer


async def test_demo_items_are_read_as_full_text(store: Store) -> None:
    with DemoFeedServer() as server:
        report = await run_ingest(store, load_opml(server.opml()))
    assert report.new_articles >= 140
    assert report.page_failures == {}
    assert report.pages_read == report.new_articles
    k5 = [a for a in report.articles if a.title.startswith("Kestrel Systems unveils K5")]
    assert k5 and k5[0].full_text and k5[0].image == f"{server.base_url}/img/k5.svg"
    assert "Volume shipments are scheduled" in k5[0].text  # the body, not only the blurb
