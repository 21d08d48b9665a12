"""Story clustering: quality (B-cubed over real story labels) and speed.

Run: ``.venv/bin/python -m bench.stories``. Reads ../shared/corpus (skips when absent).

Quality: ../shared/corpus/clusters/uci-news-stories-dev.csv, rows SHUFFLED and each
``published`` drawn uniformly at random over the file's time span (the file's crawl
times and row order leak the labels). The production clusterer
(``core.stories.cluster.cluster_all``, what ``aitoday cluster`` runs) is compared in the
same run with the previous production method (lexical only, its own thresholds) and a
naive single-pass TF-IDF "leader" clustering of titles (threshold 0.2). The file's 40
stories are split once, by a hash of the label, into a tune half (the only one the
thresholds were chosen on) and a report half (stories never looked at while tuning).

Cross-language: tests/stories/data/crosslang.jsonl, events told in English, Japanese and
Chinese (headlines written for this set), ``aitoday cluster`` input plus a "story" label.

Real feeds: ../shared/corpus/feeds (no labels): stories that hold 2+ different titles,
counted; ``python -m bench.stories --show`` prints them to read one by one.

Speed: 10,000 articles published over ten days so the 72 h window fills and then slides,
placed in ingest-sized batches of 100 (``Clusterer.add_many``); the cost per article is
reported per block of 1,000, for the previous and the production method.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr

from core.stories.cluster import Clusterer, ClusterParams, Doc, cluster_all
from core.stories.embed import default_embedder
from core.stories.jsonl import parse_lines

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
UCI = CORPUS / "clusters" / "uci-news-stories-dev.csv"
SEEDS = (1, 2, 3, 4, 5)
WINDOW_HOURS = 72.0
CROSSLANG = Path(__file__).resolve().parents[1] / "tests" / "stories" / "data" / "crosslang.jsonl"
# The production method before the semantic signal (commit 4a71251): lexical only.
PREVIOUS = ClusterParams(join=0.05, sibling=0.35, merge=0.08)


SPEED_CODES: dict[str, bytes] = {}  # the vectors the last speed run would have stored


@dataclass(frozen=True)
class Method:
    name: str
    params: ClusterParams | None  # None: the production defaults
    semantic: bool

    def cluster(self, docs: Sequence[Doc]) -> dict[str, str]:
        return dict(cluster_all(docs, WINDOW_HOURS, self.params, semantic=self.semantic))


METHODS = (
    Method("previous (lexical only)", PREVIOUS, semantic=False),
    Method("AIToday production (+ semantic)", None, semantic=True),
)


@dataclass(frozen=True)
class Labelled:
    doc: Doc
    label: str
    category: str = ""


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
        out.append(Labelled(doc, r["STORY"], r["CATEGORY"]))
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
        members, klass = by_pred[pred[item]], by_gold[gold[item]]
        both = len(members & klass)
        p += both / len(members)
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


def tune_half(labels: Iterable[str]) -> set[str]:
    """The half of the story labels thresholds may be tuned on (a fixed hash split)."""
    ordered = sorted(set(labels), key=lambda label: hashlib.sha1(label.encode()).hexdigest())
    return set(ordered[: len(ordered) // 2])


PARTS = ("all 40 stories", "tune half (20)", "report half (20, unseen)")


def _part(data: list[Labelled], part: str) -> list[Labelled]:
    if part == PARTS[0]:
        return data
    tune = tune_half(x.label for x in data)
    return [x for x in data if (x.label in tune) == (part == PARTS[1])]


@dataclass(frozen=True)
class Score:
    """Mean P, R, F1 over the seeds, the worst seed's P and F1, mean seconds."""

    p: float
    r: float
    f1: float
    worst_p: float
    worst_f1: float
    seconds: float


def quality(part: str) -> list[tuple[str, Score]]:
    """(method, score over the seeds) on one part of the dev file."""
    rows = []
    names = ["leader baseline (titles, 0.2)", *(m.name for m in METHODS)]
    for name in names:
        scores, secs = [], []
        for seed in SEEDS:
            data = _part(load_uci(seed), part)
            gold = {x.doc.id: x.label for x in data}
            docs = [x.doc for x in data]
            start = time.perf_counter()
            if name.startswith("leader"):
                pred = leader_baseline(docs)
            else:
                pred = next(m for m in METHODS if m.name == name).cluster(docs)
            secs.append(time.perf_counter() - start)
            scores.append(bcubed(pred, gold))
        k = len(SEEDS)
        mean = [sum(s[i] for s in scores) / k for i in range(3)]
        worst_p, worst_f = min(s[0] for s in scores), min(s[2] for s in scores)
        rows.append((name, Score(mean[0], mean[1], mean[2], worst_p, worst_f, sum(secs) / k)))
    return rows


def load_crosslang() -> list[Labelled]:
    """The cross-language set: ``aitoday cluster`` lines with a "story" label."""
    lines = CROSSLANG.read_text(encoding="utf-8").splitlines()
    docs = parse_lines(lines)
    labels = [json.loads(line)["story"] for line in lines if line.strip()]
    return [Labelled(doc, label) for doc, label in zip(docs, labels, strict=True)]


def crosslang() -> list[tuple[str, int, int, float, float, float]]:
    """(method, articles, events, P, R, F1) on the cross-language set; last, production
    with an embedding model configured: the OpenAI-compatible fake of tests/fakes/llm.py
    through litellm (a toy multilingual bag of words, not a real model)."""
    data = load_crosslang()
    gold = {x.doc.id: x.label for x in data}
    docs = [x.doc for x in data]
    rows = []
    for method in METHODS:
        p, r, f = bcubed(method.cluster(docs), gold)
        rows.append((method.name, len(data), len(set(gold.values())), p, r, f))
    from core.config import LLMSettings
    from core.stories.embed import embedder_for
    from tests.fakes.llm import fake_llm

    with fake_llm() as (_, base):
        settings = LLMSettings(
            embedding_model="openai/fake", api_base=base, api_key=SecretStr("sk-fake")
        )
        embedder = embedder_for(settings)
        pred = dict(cluster_all(docs, WINDOW_HOURS, embedder=embedder))
    p, r, f = bcubed(pred, gold)
    rows.append(
        ("production + embedding model (fake)", len(data), len(set(gold.values())), p, r, f)
    )
    return rows


CATEGORIES = {"b": "business", "e": "entertainment", "t": "technology", "m": "health"}


def by_category(seed: int = 1) -> list[tuple[str, int, int, float, float, float]]:
    """Each category's rows clustered on their own: (category, rows, stories, P, R, F1).
    The parameters were not chosen per category; a spread here would show overfitting."""
    data = load_uci(seed)
    rows = []
    for code, name in CATEGORIES.items():
        part = [x for x in data if x.category == code]
        if not part:
            continue
        pred = METHODS[-1].cluster([x.doc for x in part])
        p, r, f = bcubed(pred, {x.doc.id: x.label for x in part})
        rows.append((name, len(part), len({x.label for x in part}), p, r, f))
    return rows


def speed(
    method: Method, total: int = 10_000, block: int = 1_000, batch: int = 100
) -> tuple[list[tuple[int, int, int, float, float]], Clusterer]:
    """(articles so far, window size, stories in window, wall and CPU ms per article in
    the block). CPU time is reported because the machine is shared: wall time then
    measures the neighbours too."""
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
    SPEED_CODES.clear()
    embedder = default_embedder() if method.semantic else None
    clusterer = Clusterer(WINDOW_HOURS, method.params, embedder)
    out = []
    for offset in range(0, total, block):
        start, cpu = time.perf_counter(), time.process_time()
        for at in range(offset, offset + block, batch):
            clusterer.add_many(docs[at : at + batch])
            SPEED_CODES.update(clusterer.take_codes())  # as save_clusterer stores them
        ms = (time.perf_counter() - start) * 1000 / block
        cpu_ms = (time.process_time() - cpu) * 1000 / block
        out.append((offset + block, len(clusterer), clusterer.story_count, ms, cpu_ms))
    return out, clusterer


def feed_docs() -> list[Doc]:
    """The 46 real AI feeds' items (with summaries, real dates), oldest first; empty when
    the corpus is absent."""
    from core.ingest.parse import parse_feed
    from core.models import utcnow

    latest = CORPUS / "feeds" / "latest"
    docs: list[Doc] = []
    for path in sorted(latest.glob("*.xml")) if latest.is_dir() else []:
        parsed = parse_feed(path.read_bytes(), url=f"https://feeds.example/{path.name}",
                            content_type=None, source_id=path.stem, language="en",
                            fetched=utcnow())  # fmt: skip
        docs += [
            Doc(id=f"{a.id}-{a.source_id}", title=a.title, url=a.url, source=a.source_id,
                published=a.published, summary=a.summary)
            for a in parsed.articles
        ]  # fmt: skip
    docs.sort(key=lambda d: d.published)
    return docs


def real_feeds() -> list[tuple[str, int, int, int, int]] | None:
    """The 46 real AI feeds (with summaries), real dates: (method, articles, stories,
    stories from 2+ feeds, stories holding 2+ different titles). No labels exist: the
    last column counts what may be wrong (inspect by hand: ``--show``)."""
    docs = feed_docs()
    if not docs:
        return None
    rows = []
    methods = [("leader baseline (titles, 0.2)", leader_baseline(docs))]
    methods += [(m.name, m.cluster(docs)) for m in METHODS]
    for name, pred in methods:
        groups = _groups(docs, pred)
        multi = sum(1 for g in groups if len({d.source for d in g}) > 1)
        mixed = sum(1 for g in groups if len({_norm(d.title) for d in g}) > 1)
        rows.append((name, len(docs), len(groups), multi, mixed))
    return rows


def show_mixed() -> None:
    """Print the production method's real-feed stories that hold 2+ different titles
    (one line per distinct title: feed, title, URL), to read them one by one."""
    docs = feed_docs()
    groups = _groups(docs, METHODS[-1].cluster(docs))
    mixed = [g for g in groups if len({_norm(d.title) for d in g}) > 1]
    for group in mixed:
        print("----")
        seen: set[str] = set()
        for d in group:
            if _norm(d.title) not in seen:
                seen.add(_norm(d.title))
                print(f"  [{d.source}] {d.title[:110]}  <{d.url}>")
    print(f"{len(mixed)} mixed stories of {len(groups)}")


def _groups(docs: Sequence[Doc], pred: dict[str, str]) -> list[list[Doc]]:
    groups: dict[str, list[Doc]] = defaultdict(list)
    for d in docs:
        groups[pred[d.id]].append(d)
    return list(groups.values())


def _norm(title: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", title.lower()).split())


def cli_check(seed: int = 1) -> tuple[float, float, float, float]:
    """``aitoday cluster`` as a user runs it (a fresh process, JSONL in and out):
    (P, R, F1, seconds including start-up)."""
    data = load_uci(seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "uci.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for x in data:
                d = x.doc
                row = {"id": d.id, "title": d.title, "url": d.url, "source": d.source,
                       "published": d.published.isoformat()}  # fmt: skip
                f.write(json.dumps(row) + "\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AITODAY_")}
        env["AITODAY_DATA_DIR"] = tmp
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "workers.cli.__main__", "cluster", str(path)],
            capture_output=True, text=True, check=True, env=env,
            cwd=Path(__file__).resolve().parents[1],
        )  # fmt: skip
        seconds = time.perf_counter() - start
    pred = {row["id"]: row["story_id"] for row in map(json.loads, out.stdout.splitlines())}
    p, r, f1 = bcubed(pred, {x.doc.id: x.label for x in data})
    return p, r, f1, seconds


def state_cost(clusterer: Clusterer, codes: dict[str, bytes]) -> tuple[int, int, float, float]:
    """(window articles, compressed bytes, ms to save, ms to load) of the Redis state;
    loading reads the stored vectors back (``codes``) instead of recomputing them."""
    start = time.perf_counter()
    blob = zlib.compress(json.dumps(clusterer.dump(), separators=(",", ":")).encode(), 1)
    saved = time.perf_counter() - start
    start = time.perf_counter()
    restored = Clusterer.load(
        json.loads(zlib.decompress(blob)), WINDOW_HOURS, embedder=clusterer.embedder, codes=codes
    )
    loaded = time.perf_counter() - start
    return len(restored), len(blob), saved * 1000, loaded * 1000


def memory(method: Method, total: int = 5_000) -> float:
    """Python heap held by the clusterer per window article (tracemalloc), once the
    72 h window is full and sliding."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    _, clusterer = speed(method, total=total)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held / max(1, len(clusterer))


def redis_bytes_per_vector() -> int | None:
    """``MEMORY USAGE`` of one stored vector key in a local Redis (None: none answers)."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5)
    key = f"bench-stories-{os.getpid()}:cluster:vec:a1"
    try:
        client.set(key, bytes(256), ex=60)
        used = client.memory_usage(key)
        client.delete(key)
    except redis.RedisError:
        return None
    return int(used) if used is not None else None


def _print_quality() -> None:
    print(f"Story clustering quality: {UCI.name}, {len(SEEDS)} shuffles with random times")
    for part in PARTS:
        print()
        print(f"{part}: mean over shuffles (worst shuffle)")
        print(f"{'method':<34} {'P':>6} {'R':>6} {'F1':>6} {'worst P':>8} {'worst F1':>9} {'s':>5}")
        for name, q in quality(part):
            print(f"{name:<34} {q.p:6.3f} {q.r:6.3f} {q.f1:6.3f} {q.worst_p:8.3f} "
                  f"{q.worst_f1:9.3f} {q.seconds:5.2f}")  # fmt: skip


def _print_speed() -> None:
    print("Incremental speed: 10,000 articles over 10 days, 72 h window, batches of 100")
    for method in METHODS:
        print(method.name)
        print(f"{'articles':>9} {'window':>7} {'stories':>8} {'ms/article':>11} {'CPU ms':>7}")
        started, cpu = time.perf_counter(), time.process_time()
        rows, clusterer = speed(method)
        total, cpu_total = time.perf_counter() - started, time.process_time() - cpu
        for count, window, stories, ms, cpu_ms in rows:
            print(f"{count:>9} {window:>7} {stories:>8} {ms:>11.3f} {cpu_ms:>7.3f}")
        print(f"total {total:.2f} s wall, {cpu_total:.2f} s CPU for 10,000 articles (bar: 10 s)")
        codes = {k: v for k, v in SPEED_CODES.items() if clusterer.story_of(k) is not None}
        articles, size, save_ms, load_ms = state_cost(clusterer, codes)
        print(f"State in Redis: {articles} window articles, {size / 1024:.0f} KiB compressed "
              f"+ {len(codes)} vectors x 256 B; save {save_ms:.0f} ms, "
              f"load {load_ms:.0f} ms")  # fmt: skip
        print(f"Python heap per window article: {memory(method) / 1024:.1f} KiB")
        print()
    per_key = redis_bytes_per_vector()
    if per_key is not None:
        print(f"Redis MEMORY USAGE of one vector key (256 B value): {per_key} B")


def main() -> None:
    if not UCI.exists():
        print("bench.stories: ../shared/corpus is absent; skipped")
        return
    if "--show" in sys.argv[1:]:
        show_mixed()  # the real-feed stories that mix titles, to read by hand
        return
    _print_quality()
    print()
    print("Each category alone (seed 1, production): rows, stories, P, R, F1")
    for name, n, k, p, r, f in by_category():
        print(f"  {name:<14} {n:>5} {k:>3}  {p:.3f} {r:.3f} {f:.3f}")
    print()
    print(f"Cross-language set ({CROSSLANG.name}; no model, then the fake model)")
    print(f"{'method':<34} {'articles':>8} {'events':>7} {'P':>6} {'R':>6} {'F1':>6}")
    for name, n, k, p, r, f in crosslang():
        print(f"{name:<34} {n:>8} {k:>7} {p:6.3f} {r:6.3f} {f:6.3f}")
    feeds = real_feeds()
    if feeds:
        print()
        print("46 real AI feeds, real dates (no labels; 'mixed' = 2+ different titles)")
        print(f"{'method':<34} {'articles':>8} {'stories':>8} {'2+ feeds':>8} {'mixed':>6}")
        for name, n, k, multi, mixed in feeds:
            print(f"{name:<34} {n:>8} {k:>8} {multi:>8} {mixed:>6}")
    print()
    _print_speed()
    print()
    p, r, f1, seconds = cli_check()
    print(f"`aitoday cluster` (fresh process, seed 1): P {p:.3f} R {r:.3f} F1 {f1:.3f} "
          f"in {seconds:.2f} s including start-up")  # fmt: skip


if __name__ == "__main__":
    main()
