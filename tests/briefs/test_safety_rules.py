"""One rule set for quoted and written text: what a publisher may not put before a reader.

Each class of hazard has a case in English, Japanese and
Chinese; each is refused both as a quote (``is_quotable``, which picks the extractive
brief's sentences) and in a model's draft (``content_problems``, the guard). Ordinary news
sentences with versions, decimals, dotted names and abbreviations stay quotable.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from core.briefs.guard import content_problems, draft_problems
from core.briefs.schema import BriefDraft
from core.briefs.text import (
    CONTACT,
    LINK,
    ORDER,
    TOO_LONG,
    hazards,
    is_harmless,
    is_quotable,
    sentences,
    shorten,
)
from tests.briefs.corpus import corpus_stories
from tests.briefs.data.sentences import (
    CONTACT_RULE,
    HOSTILE,
    LINK_RULE,
    ORDER_RULE,
    ORDINARY,
    PHISH,
    SOURCES,
    STORY,
)
from tests.fakes.llm import CANNED


def test_the_data_names_the_rules_as_the_rules_do() -> None:
    assert (LINK_RULE, CONTACT_RULE, ORDER_RULE) == (LINK, CONTACT, ORDER)


@pytest.mark.parametrize(("kind", "lang", "sentence", "rule"), HOSTILE)
def test_hostile_sentences_are_not_quotable(kind: str, lang: str, sentence: str, rule: str) -> None:
    assert rule in hazards(sentence, SOURCES), (kind, lang)
    assert not is_quotable(sentence), (kind, lang)
    assert not is_quotable(sentence, sources=SOURCES), (kind, lang)


@pytest.mark.parametrize(("kind", "lang", "sentence", "rule"), HOSTILE)
def test_hostile_sentences_do_not_pass_the_guard(
    kind: str, lang: str, sentence: str, rule: str
) -> None:
    problems = content_problems([("key_takeaway", sentence)], SOURCES)
    assert f"key_takeaway: {rule}" in problems, (kind, lang)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_phishing_sentence_fails_a_draft_in_any_field(lang: str) -> None:
    for field in ("key_takeaway", "what_happened", "why_it_matters", "what_to_watch"):
        draft = BriefDraft.model_validate({**CANNED[lang], field: PHISH})
        problems = draft_problems(draft, SOURCES, lang)
        assert f"{field}: {LINK}" in problems and f"{field}: {ORDER}" in problems


@pytest.mark.parametrize("sentence", ORDINARY)
def test_ordinary_news_stays_quotable(sentence: str) -> None:
    assert hazards(sentence, SOURCES) == []
    assert is_quotable(sentence)
    assert content_problems([("what_happened", sentence)], SOURCES) == []


def test_a_source_may_be_named_by_its_domain() -> None:
    sentence = "mistral.ai opened an office in Singapore this week, the company said."
    assert not is_quotable(sentence)  # a domain of no source
    assert is_quotable(sentence, sources=["https://mistral.ai/news/singapore"])
    # a domain above a source's host counts; one below it, or a look-alike, does not
    assert is_quotable(sentence, sources=["https://blog.mistral.ai/2026/singapore"])
    assert not is_harmless("Mirror at evil.mistral.ai now.", sources=["https://mistral.ai/x"])
    assert not is_harmless("Mirror at mistral-ai.xyz now.", sources=["https://mistral.ai/x"])
    # internationalised names compare in their ASCII form
    assert is_harmless("例え.jp の発表によると", sources=["https://xn--r8jz45g.jp/news"])


def test_links_must_be_the_sources_own_urls() -> None:
    assert is_harmless(f"The lab posted it at {STORY} on Tuesday.", sources=SOURCES)
    assert not is_harmless("The lab posted it at labnews.example.org/other.", sources=SOURCES)
    assert not is_harmless("Posted at https://labnews.example.org/other.", sources=SOURCES)


def test_real_feeds_lose_almost_no_sentences(corpus: Path) -> None:
    """Measured on the 46 feeds of the corpus (4,868 sentences): 11 name another site's
    domain ("claude.ai", "monday.com", "goattack.far.ai"), none is a contact or an order."""
    refused: Counter[str] = Counter()
    total = 0
    for story, inputs in corpus_stories(corpus):
        urls = [a.url for a in story.articles]
        for item in inputs:
            for sentence in sentences(f"{item.summary} {item.text}"):
                if 20 <= len(sentence) <= 400:
                    total += 1
                    refused.update(hazards(sentence, urls))
    assert total > 4000
    assert refused[LINK] <= total * 0.005
    assert refused[CONTACT] + refused[ORDER] <= 2


def test_a_source_url_cut_short_is_still_the_sources() -> None:
    quoted = shorten(f"Posted at {STORY}", 45)
    assert quoted.endswith("…") and "labnews.example.org/2026/s…" in quoted
    assert hazards(quoted, SOURCES) == []
    assert LINK in hazards("Posted at https://labnews.example.org/2026/evil…", SOURCES)
    assert LINK in hazards("Posted at https://labnews.exa…", SOURCES)


def test_a_hostile_megabyte_is_refused_unread() -> None:
    assert hazards("请" * 1_000_000) == [TOO_LONG]
    assert not is_harmless("The lab released a model. " * 1_000)
