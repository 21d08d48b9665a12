"""Article extraction quality and speed on ../shared/corpus/articles (skips when absent).

Run: ``.venv/bin/python -m bench.extract``.

The measure is the scrapinghub article-extraction benchmark's: per page, token 4-gram
("shingle") precision and recall of the extracted text against the hand-made
``articleBody``; P and R averaged over pages; F1 from the two means. The 91 keys are
split deterministically (sorted keys; even positions tune, odd positions held out) so a
change tuned on one half is checked on the other. Compared in one run:

- ``core.ingest.extract.extract_page`` (what ingest stores and ``aitoday extract`` shows);
- ``trafilatura.extract`` with defaults (the library alone, for reference);
- baseline: every visible text of the page (lxml ``text_content`` of <body>, scripts and
  styles dropped), i.e. reading the page without any main-text extraction.

Then ingest with and without page reading, in-process, against the demo's feed server
(15 feeds, 142 items, each with its article page, all on one local origin so the
per-host limit of 4 applies to every page; no added latency): cold with pages off, cold
with pages on, and warm with each (nothing new: pages on must read no page). Needs the Redis
at 127.0.0.1:6379 (skipped otherwise); each run uses a fresh key prefix, deleted after.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT.parent / "shared" / "corpus" / "articles"
TOKEN = re.compile(r"\w+", re.UNICODE)
N = 4

Extractor = Callable[[bytes, str], str]


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Token 4-grams (the whole token list when shorter), as a multiset."""
    tokens = TOKEN.findall(text or "")
    if len(tokens) < N:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + N]) for i in range(len(tokens) - N + 1))


def precision_recall(predicted: str, truth: str) -> tuple[float, float]:
    """One page's shingle precision and recall (empty vs empty counts as perfect)."""
    pred, true = shingles(predicted), shingles(truth)
    if not pred and not true:
        return 1.0, 1.0
    hit = sum((pred & true).values())
    precision = hit / sum(pred.values()) if pred else 0.0
    recall = hit / sum(true.values()) if true else 0.0
    return precision, recall


def ours(html: bytes, url: str) -> str:
    from core.ingest.extract import extract_page

    return extract_page(html, url).text


def library(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def visible_text(html: bytes, url: str) -> str:
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:
        return ""
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    body = root.find("body")
    return str((body if body is not None else root).text_content())


def score(
    extractor: Extractor, pages: list[tuple[bytes, str, str]]
) -> tuple[float, float, float, float]:
    """Mean P, mean R, F1 of the means, ms per page."""
    ps, rs, seconds = [], [], 0.0
    for html, url, truth in pages:
        # CPU time of this process: other work on a shared machine does not count.
        started = time.process_time()
        text = extractor(html, url)
        seconds += time.process_time() - started
        p, r = precision_recall(text, truth)
        ps.append(p)
        rs.append(r)
    mp, mr = sum(ps) / len(ps), sum(rs) / len(rs)
    f1 = 2 * mp * mr / (mp + mr) if mp + mr else 0.0
    return mp, mr, f1, 1000 * seconds / len(pages)


def load() -> dict[str, list[tuple[bytes, str, str]]]:
    truth = json.loads((ARTICLES / "ground-truth-dev.json").read_text(encoding="utf-8"))
    halves: dict[str, list[tuple[bytes, str, str]]] = {"tune": [], "held-out": []}
    for i, key in enumerate(sorted(truth)):
        html = gzip.decompress((ARTICLES / "html" / f"{key}.html.gz").read_bytes())
        half = "tune" if i % 2 == 0 else "held-out"
        halves[half].append((html, truth[key]["url"], truth[key]["articleBody"]))
    return halves


def main() -> None:
    if not (ARTICLES / "ground-truth-dev.json").exists():
        print(f"skipped: {ARTICLES} not found")
        return
    halves = load()
    ours(b"<html><body><p>warm up</p></body></html>", "")  # imports out of the timing
    library(b"<html><body><p>warm up</p></body></html>", "")
    rows = [
        ("core.ingest.extract", ours),
        ("trafilatura.extract (defaults)", library),
        ("baseline: all visible text", visible_text),
    ]
    print(f"{'extractor':32} {'half':9} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'ms/page':>8}")
    for name, extractor in rows:
        for half, pages in halves.items():
            p, r, f1, ms = score(extractor, pages)
            print(f"{name:32} {half:9} {len(pages):5d} {p:6.3f} {r:6.3f} {f1:6.3f} {ms:8.1f}")
    ingest_runs()


def ingest_runs(rounds: int = 2) -> None:
    """Cold ingest of the demo feeds with pages off / on, and a warm one with pages on."""
    import redis

    from core.config import load_settings
    from core.ingest.pipeline import run_ingest
    from core.ingest.sources import load_opml
    from core.store.base import open_store
    from workers.demo.feedserver import DemoFeedServer

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        print("ingest: skipped (no Redis at 127.0.0.1:6379)")
        return
    best: dict[str, tuple[float, int, int]] = {}
    with DemoFeedServer() as server:
        sources = load_opml(server.opml())
        for _ in range(rounds):
            for pages in (False, True):
                prefix = f"bench-extract-{uuid.uuid4().hex[:8]}"
                settings = load_settings(
                    redis_url=url, key_prefix=prefix, fetch={"allow_private": True, "pages": pages}
                )
                store = open_store(settings)
                try:
                    for kind, on in (("cold", pages), ("warm", pages)):
                        started = time.perf_counter()
                        report = asyncio.run(run_ingest(store, sources))
                        wall = time.perf_counter() - started
                        name = f"{kind}, pages {'on' if on else 'off'}"
                        row = (wall, report.new_articles, report.pages_read)
                        best[name] = min(best.get(name, row), row)
                finally:
                    for key in store.redis.scan_iter(match=f"{prefix}:*", count=1000):
                        store.redis.delete(key)
    base = best["cold, pages off"][0]
    print(f"\n{'ingest (demo feeds)':24} {'seconds':>8} {'x off':>6} {'new':>5} {'pages':>6}")
    for name, (wall, new, read) in best.items():
        print(f"{name:24} {wall:8.2f} {wall / base:6.2f} {new:5d} {read:6d}")


if __name__ == "__main__":
    main()
