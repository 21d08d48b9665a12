"""Story clustering: quality (B-cubed over real story labels) and speed.

Run: ``.venv/bin/python -m bench.stories``. Reads ../shared/corpus (skips when absent).

Quality: ../shared/corpus/clusters/uci-news-stories-dev.csv, rows SHUFFLED and each
``published`` drawn uniformly at random over the file's time span (the file's crawl
times and row order leak the labels). The production clusterer
(``core.stories.cluster.cluster_all``, what ``aitoday cluster`` runs) is compared with a
naive single-pass TF-IDF "leader" clustering of titles (threshold 0.2) in the same run.

Speed: 10,000 articles placed one by one, published over ten days so the 72 h window
fills and then slides; the cost per article is reported per block of 1,000.
"""

from __future__ import annotations

import csv
import math
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.stories.cluster import Clusterer, Doc, cluster_all

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
UCI = CORPUS / "clusters" / "uci-news-stories-dev.csv"
SEEDS = (1, 2, 3, 4, 5)
WINDOW_HOURS = 72.0


@dataclass(frozen=True)
class Labelled:
    doc: Doc
    label: str


def load_uci(seed: int) -> list[Labelled]:
    """The labelled rows, shuffled, each with a random time over the file's span."""
    with UCI.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    stamps = [int(r["TIMESTAMP"]) / 1000 for r in rows]
    low, high = min(stamps), max(stamps)
    rng = random.Random(seed)
    rng.shuffle(rows)
    out = []
    for r in rows:
        when = datetime.fromtimestamp(rng.uniform(low, high), UTC)
        doc = Doc(id=r["ID"], title=r["TITLE"], url=r["URL"], source=r["PUBLISHER"], published=when)
        out.append(Labelled(doc, r["STORY"]))
    return out


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering against labels."""
    by_pred: dict[str, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for item, cluster in pred.items():
        by_pred[cluster].add(item)
    for item, label in gold.items():
        by_gold[label].add(item)
    p = r = 0.0
    for item in gold:
        cluster, klass = by_pred[pred[item]], by_gold[gold[item]]
        both = len(cluster & klass)
        p += both / len(cluster)
        r += both / len(klass)
    p, r = p / len(gold), r / len(gold)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def leader_baseline(docs: Sequence[Doc], threshold: float = 0.2) -> dict[str, str]:
    """Naive single pass: word TF-IDF of titles (IDF over the whole file), each title joins
    the most similar cluster leader at cosine >= threshold, else leads a new cluster."""
    tokens = [_TOKEN.findall(d.title.lower()) for d in docs]
    df: Counter[str] = Counter()
    for toks in tokens:
        df.update(set(toks))
    n = len(docs)
    vecs = []
    for toks in tokens:
        tf = Counter(toks)
        vec = {t: c * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in tf.items()}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        vecs.append({t: w / norm for t, w in vec.items()})
    leaders: list[tuple[str, dict[str, float]]] = []
    out: dict[str, str] = {}
    for doc, vec in zip(docs, vecs, strict=True):
        best, best_id = 0.0, ""
        for leader_id, lvec in leaders:
            sim = sum(w * lvec.get(t, 0.0) for t, w in vec.items())
            if sim > best:
                best, best_id = sim, leader_id
        if best >= threshold:
            out[doc.id] = best_id
        else:
            leaders.append((doc.id, vec))
            out[doc.id] = doc.id
    return out


def quality() -> list[tuple[str, float, float, float, float]]:
    """(method, P, R, F1, seconds) averaged over the seeds."""
    rows = []
    for name in ("leader baseline (titles, 0.2)", "AIToday incremental (production)"):
        ps, rs, fs, secs = [], [], [], []
        for seed in SEEDS:
            data = load_uci(seed)
            gold = {x.doc.id: x.label for x in data}
            docs = [x.doc for x in data]
            start = time.perf_counter()
            if name.startswith("leader"):
                pred = leader_baseline(docs)
            else:
                pred = dict(cluster_all(docs, WINDOW_HOURS))
            secs.append(time.perf_counter() - start)
            p, r, f = bcubed(pred, gold)
            ps.append(p)
            rs.append(r)
            fs.append(f)
        k = len(SEEDS)
        rows.append((name, sum(ps) / k, sum(rs) / k, sum(fs) / k, sum(secs) / k))
        if not name.startswith("leader"):
            rows.append((f"  (worst seed F1 {min(fs):.3f}, P {min(ps):.3f})", 0, 0, 0, 0))
    return rows


def speed(total: int = 10_000, block: int = 1_000) -> list[tuple[int, int, int, float]]:
    """(articles so far, window size, stories in window, ms per article in the block)."""
    base = load_uci(7)
    start_at = datetime(2026, 8, 1, tzinfo=UTC)
    span = timedelta(days=10)
    docs = []
    for i in range(total):
        src = base[i % len(base)].doc
        when = start_at + span * (i / total)
        docs.append(
            Doc(
                id=f"a{i}", title=src.title, url=f"{src.url}#{i}", source=src.source, published=when
            )
        )
    clusterer = Clusterer(WINDOW_HOURS)
    out = []
    for offset in range(0, total, block):
        start = time.perf_counter()
        for doc in docs[offset : offset + block]:
            clusterer.add(doc)
        ms = (time.perf_counter() - start) * 1000 / block
        out.append((offset + block, len(clusterer), clusterer.story_count, ms))
    return out


def main() -> None:
    if not UCI.exists():
        print("bench.stories: ../shared/corpus is absent; skipped")
        return
    print(f"Story clustering quality: {UCI.name}, {len(SEEDS)} shuffles with random times")
    print(f"{'method':<40} {'P':>6} {'R':>6} {'F1':>6} {'s':>6}")
    for name, p, r, f, s in quality():
        if p == 0 and r == 0:
            print(name)
            continue
        print(f"{name:<40} {p:6.3f} {r:6.3f} {f:6.3f} {s:6.2f}")
    print()
    print("Incremental speed: 10,000 articles over 10 days, 72 h window")
    print(f"{'articles':>9} {'window':>7} {'stories':>8} {'ms/article':>11}")
    started = time.perf_counter()
    for count, window, stories, ms in speed():
        print(f"{count:>9} {window:>7} {stories:>8} {ms:>11.3f}")
    print(f"total {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
