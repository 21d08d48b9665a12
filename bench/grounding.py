"""Grounding benchmark: what the check costs per brief, and what it keeps out.

1. Offline, on every story of the 46 real feeds in ../shared/corpus: the fake model's
   faithful and fabricating drafts (built from exactly the records a prompt carries) go
   through :func:`ground_draft`; baseline in the same run: the safety guard
   (``draft_problems``) on the same drafts. Counts invented facts before and after, and
   what a faithful draft loses (it should lose nothing).
2. End to end through litellm against the fake server's fabricating model, 40 stories:
   the writer with grounding off (what was stored before) vs the service with it on.

Run: ``.venv/bin/python -m bench.grounding`` (needs ../shared/corpus and a Redis).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from bench.briefs import CORPUS, RESULTS, cleanup, test_store, with_llm
from core.briefs.grounding import ground_draft
from core.briefs.guard import draft_problems
from core.briefs.inputs import SourceText
from core.briefs.llm import LLMWriter, WriterFailed, import_litellm
from core.briefs.prompt import prompt_records
from core.briefs.schema import BriefDraft
from core.briefs.service import ensure_briefs_async
from core.models import Brief, Story
from core.store.base import Store
from core.store.briefs import BriefRepo
from tests.briefs.builders import save
from tests.briefs.corpus import corpus_articles, corpus_stories
from tests.fakes.llm import INSTITUTIONS, NUMBERS, PEOPLE, fabricate, faithful_brief, fake_llm

BUDGET = 6000
INVENTED = (*PEOPLE, *INSTITUTIONS, *NUMBERS)


def draft_text(draft: BriefDraft) -> str:
    parts = [draft.headline, draft.dek, draft.key_takeaway, draft.what_happened]
    parts += [draft.why_it_matters, draft.what_to_watch]
    parts += [f"{f.question} {f.answer}" for f in draft.faq]
    return " ".join(parts)


def brief_text(brief: Brief) -> str:
    points = brief.key_points
    parts = [brief.headline, brief.dek, brief.key_takeaway, points.what_happened]
    parts += [points.why_it_matters or "", points.what_to_watch or ""]
    parts += [f"{f.question} {f.answer}" for f in brief.faq]
    return " ".join(parts)


def invented_in(text: str) -> int:
    return sum(text.count(fact) for fact in INVENTED)


def per_brief_us(seconds: float, n: int) -> str:
    return f"{seconds / n * 1e6:.0f} µs"


def bench_offline() -> list[tuple[str, str]]:
    stories = corpus_stories(CORPUS)
    cases = []
    for n, (_, inputs) in enumerate(stories):
        records = prompt_records(inputs, BUDGET)
        faithful = faithful_brief(records)
        fabricated, _ = fabricate(faithful, seed=n)
        langs = [i.language for i in inputs]
        cases.append((records, langs, BriefDraft.model_validate(faithful)))
        cases.append((records, langs, BriefDraft.model_validate(fabricated)))
    allowed: list[str] = []
    started = time.perf_counter()
    for _, _, draft in cases:
        draft_problems(draft, allowed, "en")
    guard_s = time.perf_counter() - started
    started = time.perf_counter()
    grounded = [ground_draft(draft, records, "en", langs) for records, langs, draft in cases]
    ground_s = time.perf_counter() - started
    faithful_removed = sum(len(g.removed) for g in grounded[0::2])
    faithful_checked = sum(g.checked for g in grounded[0::2])
    before = sum(invented_in(draft_text(d)) for _, _, d in cases[1::2])
    after = sum(invented_in(draft_text(g.draft)) for g in grounded[1::2])
    emptied = sum(bool(g.emptied) for g in grounded[1::2])
    n = len(cases)
    return [
        ("corpus stories x 2 drafts (faithful, fabricating)", f"{len(stories)} x 2 = {n}"),
        ("baseline: safety guard (draft_problems) per draft", per_brief_us(guard_s, n)),
        ("grounding (ground_draft) per draft", per_brief_us(ground_s, n)),
        ("  ratio to baseline", f"{ground_s / guard_s:.2f}x"),
        (
            "faithful drafts: sentences removed / checked",
            f"{faithful_removed} / {faithful_checked}",
        ),
        ("fabricating drafts: invented facts before -> after grounding", f"{before} -> {after}"),
        ("fabricating drafts with a part emptied (would retry)", f"{emptied} of {n // 2}"),
    ]


def llm_stories(store: Store) -> list[Story]:
    stories = [s for s, _ in corpus_stories(CORPUS)][:40]
    articles = {a.id: a for a in corpus_articles(CORPUS)}
    save(store, [articles[i.id] for s in stories for i in s.articles if i.id in articles])
    return stories


async def unguarded(store: Store, stories: Sequence[Story]) -> list[Brief]:
    from core.briefs.inputs import load_inputs

    async with LLMWriter(store.settings.llm, grounding=False) as writer:
        pairs: list[tuple[Story, list[SourceText]]] = [(s, load_inputs(store, s)) for s in stories]
        briefs: list[Brief] = []
        for story, inputs in pairs:
            try:
                briefs.append((await writer.write(story, inputs, "en")).brief)
            except WriterFailed:  # refused by the safety guard (a German feed): nothing stored
                continue
        return briefs


def bench_llm(store: Store) -> list[tuple[str, str]]:
    stories = llm_stories(store)
    with fake_llm(default_mode="fabricating") as (fake, api_base):
        llm_store = with_llm(store, api_base, "openai/local-model")
        import_litellm()  # import cost kept out of the timings; local price list only

        off_started = time.perf_counter()
        off = asyncio.run(unguarded(llm_store, stories))
        off_s = time.perf_counter() - off_started
        off_invented = sum(len(c.invented) for c in fake.calls)
        off_calls = len(fake.calls)
        on_started = time.perf_counter()
        keys = asyncio.run(ensure_briefs_async(llm_store, stories, ["en"]))
        on_s = time.perf_counter() - on_started
        on_calls = fake.calls[off_calls:]
    stored = list(BriefRepo(store).get_many(list(keys.values())).values())
    groundings = [b.grounding for b in stored if b.grounding is not None]
    removed = sum(g.sentences_removed for g in groundings)
    checked = sum(g.sentences_checked for g in groundings)
    fallbacks = sum(len(g.fallbacks) for g in groundings)
    n = len(stories)
    return [
        (f"fabricating model via litellm -> fake server ({n} stories, en)", ""),
        (
            "  guard off: invented facts stored / slipped in",
            f"{sum(invented_in(brief_text(b)) for b in off)} / {off_invented}",
        ),
        (
            "  guard on: invented facts stored / slipped in",
            f"{sum(invented_in(brief_text(b)) for b in stored)} / "
            f"{sum(len(c.invented) for c in on_calls)}",
        ),
        (
            "  guard on: sentences removed / checked, retries, parts quoted",
            f"{removed} / {checked}, {sum(g.retries for g in groundings)}, {fallbacks}",
        ),
        (
            "  calls, ms per brief: guard off -> on",
            f"{off_calls} -> {len(on_calls)}, {off_s / n * 1000:.1f} -> {on_s / n * 1000:.1f} ms",
        ),
    ]


def write_section(rows: list[tuple[str, str]]) -> None:
    day = time.strftime("%Y-%m-%d")
    lines = [
        "## Grounding",
        "",
        f"`python -m bench.grounding`, measured {day}. The fake model's faithful and",
        "fabricating drafts of every corpus story, written from exactly the records a prompt",
        "carries (budget 6,000 tokens), checked offline; then the fabricating model end to end",
        "through litellm, with the grounding guard off (the writer alone, as before) and on.",
        "",
        "| measure | value |",
        "| --- | --- |",
        *(f"| {name.strip()} | {value} |" for name, value in rows),
        "",
        '"Slipped in" counts the invented facts of every answer, retries included (with the',
        "guard off, answers the safety guard refused, e.g. for their language, are not stored).",
        "Grounding costs the same order as the safety guard it runs after (the ratio moves",
        "with the load on this shared 2-core machine); a faithful model, whose",
        "numbers are reformatted (1,000 / 1000, $2 billion / $2bn, 20% / 20 percent), loses",
        "no sentence. Each emptied part costs one more answer (the retry), hence more calls.",
        "",
    ]
    text = RESULTS.read_text()
    start = text.find("## Grounding")
    if start == -1:
        anchor = text.find("## Subscribers and editions")
        anchor = anchor if anchor != -1 else len(text)
        text = text[:anchor] + "\n".join(lines) + "\n" + text[anchor:]
    else:
        end = text.find("\n## ", start + 1)
        end = end + 1 if end != -1 else len(text)
        text = text[:start] + "\n".join(lines) + "\n" + text[end:]
    RESULTS.write_text(text)


def main(*_: Any) -> None:
    if not CORPUS.is_dir():
        print("../shared/corpus is absent: nothing to measure")
        return
    rows = bench_offline()
    store = test_store()
    try:
        rows += bench_llm(store)
    finally:
        cleanup(store)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    write_section(rows)


if __name__ == "__main__":
    main()
