"""Grounding: a model's sentence stays only when its numbers, names and quotes are in the
sources. Unit tests of claims and matching (en, ja, zh, translated), then end to end
through litellm against the fake server's fabricating and faithful models."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from core.briefs.grounding import (
    build_index,
    extract_claims,
    ground_draft,
    number_values,
    retry_problems,
    unsupported,
)
from core.briefs.inputs import SourceText
from core.briefs.prompt import build_messages, prompt_records
from core.briefs.schema import BriefDraft, FAQDraft
from core.briefs.service import brief_for
from core.briefs.text import estimate_tokens
from core.metrics import snapshot
from core.models import Article, Brief
from core.store.base import Store
from tests.briefs.builders import LAB_ARTICLES, article, save, story_of
from tests.briefs.conftest import StoreWithLLM
from tests.briefs.test_cli import run_cli
from tests.fakes.llm import INSTITUTIONS, NUMBERS, PEOPLE, FakeLLM

LLM = tuple[FakeLLM, str]


def index_of(text: str, language: str = "en") -> object:
    return build_index([{"title": "", "summary": text}], [language])


def removed(
    sentence: str, source: str, language: str = "en", source_language: str = "en"
) -> list[str]:
    index = build_index([{"title": "", "summary": source}], [source_language])
    translated = language.split("-")[0] != source_language.split("-")[0]
    found = unsupported(sentence, index, translated=translated, language=language)
    return [c.text for c in found]


# -- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ("1,000", "1000"),
        ("1k", "1,000"),
        ("$2 billion", "$2bn"),
        ("2bn", "2,000 million"),
        ("20%", "20 percent"),
        ("２０２６", "2026"),
        ("1000億円", "100 billion yen"),
        ("10万人", "100,000 people"),
        ("1兆2000億", "1.2 trillion"),
        ("3亿美元", "300 million dollars"),
        ("1.5 million", "1,500,000"),
    ],
)
def test_number_formats_normalise_to_one_value(written: str, same_as: str) -> None:
    assert number_values(written)[0][0] == number_values(same_as)[0][0]


def test_a_different_number_is_not_found() -> None:
    source = "The startup raised $2 billion from 1,000 investors."
    assert removed("It raised $2bn from 1000 investors.", source) == []
    assert removed("It raised $3 billion.", source) == ["3 billion"]
    assert removed("It raised $2 million.", source) == ["2 million"]
    assert removed("About 1,200 investors took part.", source) == ["1,200"]


def test_digits_inside_product_names_are_names_not_numbers() -> None:
    claims = extract_claims("The GPT-5 model runs on H100 chips.")
    assert [(c.kind, c.text) for c in claims] == [("name", "GPT-5"), ("name", "H100")]
    assert removed("It beats GPT-5 on maths.", "GPT-4 was released.") == ["GPT-5"]
    assert removed("It beats GPT-5 on maths.", "It was compared with gpt-5.") == []


# -- names and quotes (en) ---------------------------------------------------------------


def test_invented_people_and_institutions_are_found_missing() -> None:
    source = "Researchers at Google DeepMind released a model. OpenAI's rival answered."
    sentence = "The model was praised by Maria Keller of the Helsinki Institute."
    assert removed(sentence, source) == ["Maria Keller", "Helsinki Institute"]
    assert removed("Google DeepMind and OpenAI both released models.", source) == []
    # CamelCase names count wherever they stand, case-insensitively matched.
    assert removed("DeepMind shipped first.", "deepmind's model came out.") == []
    assert removed("Quantix said so.", source) == []  # one capitalised first word: unknown


def test_a_capitalised_first_word_does_not_hide_a_name() -> None:
    source = "Google said the model is free."
    assert removed("Meanwhile Google said the model is free.", source) == []
    assert removed("Meanwhile Elena Marquez said the model is free.", source) == [
        "Meanwhile Elena Marquez"
    ]


def test_quoted_phrases_must_be_in_the_sources() -> None:
    source = 'The chief executive called it "a turning point for open science".'
    assert removed('He called it "a turning point for open science".', source) == []
    assert removed('He called it "the end of closed models".', source) == [
        "the end of closed models"
    ]


# -- ja, zh and translated briefs --------------------------------------------------------


def test_japanese_brief_from_japanese_sources() -> None:
    source = "ソフトバンクは1000億円を投じ、OpenAIと「クリスタル」という事業を始めると発表した。"
    assert (
        removed(
            "ソフトバンクはOpenAIと「クリスタル」を始め、1,000億円を投じる。", source, "ja", "ja"
        )
        == []
    )
    assert removed("ソフトバンクは2000億円を投じる。", source, "ja", "ja") == ["2000億"]
    assert removed("AnthropicとOpenAIが協力する。", source, "ja", "ja") == ["Anthropic"]
    assert removed("事業名は「ダイヤモンド」だ。", source, "ja", "ja") == ["ダイヤモンド"]


def test_chinese_brief_from_chinese_sources() -> None:
    source = "百度发布了文心大模型4.5，用户数超过3亿，Baidu称其推理成本下降80%。"
    assert removed("Baidu表示推理成本下降了80%，用户超过3亿。", source, "zh-Hans", "zh") == []
    assert removed("用户超过5亿。", source, "zh-Hans", "zh") == ["5亿"]
    assert removed("Alibaba也发布了模型。", source, "zh-Hans", "zh") == ["Alibaba"]


def test_translated_brief_matches_numbers_and_latin_names_across_scripts() -> None:
    source = "OpenAI raised $2 billion from 1,000 investors, said Sam Altman."
    # Japanese from English: 20億ドル is $2 billion, 千 is not checked as a word.
    assert removed("OpenAIは20億ドルを調達した。", source, "ja") == []
    assert removed("OpenAIは30億ドルを調達した。", source, "ja") == ["30億"]
    assert removed("AnthropicはSam Altmanと会談した。", source, "ja") == ["Anthropic"]
    # A quote translated into Japanese cannot be matched, so it is not held against it.
    assert removed("アルトマン氏は「大きな一歩」と述べた。", source, "ja") == []
    # Spanish from English: a translated institution is found by its distinctive word.
    assert (
        removed(
            "Sam Altman habló en la Universidad de Helsinki.",
            "Sam Altman spoke at the University of Helsinki.",
            "es",
        )
        == []
    )
    assert removed("Elena Marquez habló.", source, "es") == ["Elena Marquez"]
    assert removed("Lo dijo Elena Marquez.", source, "es") == ["Elena Marquez"]


# -- a whole draft -----------------------------------------------------------------------


def draft(**fields: object) -> BriefDraft:
    values: dict[str, object] = {
        "headline": "Lab releases a smaller open model",
        "dek": "The weights are available under a permissive licence.",
        "key_takeaway": "The lab released a compact model on Tuesday.",
        "what_happened": "It matches much larger models on common reasoning benchmarks.",
        "why_it_matters": "",
        "what_to_watch": "Independent researchers have not yet verified the results.",
        "faq": [FAQDraft(question="Is it open?", answer="The weights are available.")],
        "topics": ["open models"],
    }
    values.update(fields)
    return BriefDraft.model_validate(values)


def lab_records() -> list[dict[str, object]]:
    return [{"title": a.title, "summary": a.summary, "text": a.text} for a in LAB_ARTICLES]


def test_unsupported_sentences_are_removed_and_empty_parts_named() -> None:
    written = draft(
        key_takeaway="The lab released a compact model on Tuesday. It cost $40 million, "
        "said Priya Raman.",
        what_happened="Quantix Labs paid 12,450 engineers.",
        faq=[
            FAQDraft(question="Who paid?", answer="Northbridge Capital paid."),
            FAQDraft(question="Is it open?", answer="The weights are available."),
        ],
    )

    grounded = ground_draft(written, lab_records(), "en", ["en"])

    assert grounded.draft.key_takeaway == "The lab released a compact model on Tuesday."
    assert grounded.draft.what_happened == ""
    assert [f.question for f in grounded.draft.faq] == ["Is it open?"]
    assert grounded.emptied == ["what_happened"]
    assert len(grounded.removed) == 3 and grounded.checked == 9  # the headline is a title
    problems = retry_problems(grounded)
    assert problems and "what_happened" in problems[0] and "name" in problems[0]
    assert "Quantix" not in " ".join(problems)  # our words only, never the model's


def test_a_faithful_draft_is_kept_whole() -> None:
    grounded = ground_draft(draft(), lab_records(), "en", ["en"])

    assert grounded.removed == [] and grounded.emptied == []
    assert grounded.draft == draft()


# -- the full text within the budget -----------------------------------------------------


def test_the_model_gets_the_full_text_cut_to_the_token_budget() -> None:
    full = " ".join(f"Paragraph {n} of the article says something new." for n in range(4000))
    item = SourceText(
        article_id="1",
        source_id="s",
        source_name="S",
        url="https://s.example.org/a",
        title="Title",
        summary="The blurb.",
        text=full,
        published=datetime(2026, 12, 1, tzinfo=UTC),
        language="en",
        reading_minutes=9,
    )

    records = prompt_records([item], 3000)
    messages = build_messages("s1", [item], "en", 3000, schema_in_prompt=False)

    assert records[0]["text"].startswith("Paragraph 0 of the article")
    assert 1000 < estimate_tokens(records[0]["text"]) < 3000
    assert estimate_tokens(messages[1]["content"]) < 3000 * 1.15
    assert records[0]["text"] in messages[1]["content"]


# -- end to end through litellm ----------------------------------------------------------

NUMBERED = [
    article(
        1,
        "Startup raises money for AI chips",
        "The chip startup raised $2 billion from 1,000 investors on Monday. "
        "Its revenue grew 20% in 2025, the company said. "
        "The round was led by Sequoia Capital and values the firm at $18.5 billion. "
        "The startup plans to hire 250 engineers in Berlin. "
        "Its first chip ships to 40 customers next spring. "
        "Regulators in Brussels are reviewing the deal.",
        text="Founded in 2021, the company employs 1,400 people. "
        "Chief executive Dana Whitfield said demand had tripled since March. "
        "The chips are made by TSMC in Taiwan.",
        source_id="chipwire",
    ),
]


def stored_strings(brief: Brief) -> list[str]:
    return [
        brief.headline,
        brief.dek,
        brief.key_takeaway,
        brief.key_points.what_happened,
        brief.key_points.why_it_matters or "",
        brief.key_points.what_to_watch or "",
        *(f"{f.question} {f.answer}" for f in brief.faq),
    ]


def source_of(articles: list[Article]) -> str:
    return " ".join(f"{a.title} {a.summary} {a.text}" for a in articles)


def stories() -> list[list[Article]]:
    extra = [
        article(
            10 + n,
            f"Lab {n} publishes a report",
            f"The lab published report number {n} with 3{n}0 pages on Friday. "
            f"It names Kestrel Systems as the main partner for {n + 5} projects. "
            "The report warns that costs rose sharply last year. "
            "The lab will present the findings at a conference in June.",
            source_id=f"lab{n}",
        )
        for n in range(1, 7)
    ]
    return [LAB_ARTICLES, NUMBERED, *([a] for a in extra)]


async def test_a_fabricating_model_gets_no_invented_fact_stored(
    llm: LLM, llm_store: StoreWithLLM
) -> None:
    fake, _ = llm
    fake.default_mode = "fabricating"
    store = llm_store("openai/local-model")
    briefs: list[tuple[Brief, list[Article]]] = []
    for articles in stories():
        save(store, articles)
        _, brief = await brief_for(store, story_of(articles), "en")
        briefs.append((brief, articles))

    invented = {fact for call in fake.calls for fact in call.invented}
    assert len(invented) >= 5  # the fake did lie
    for brief, articles in briefs:
        assert brief.generator.kind == "llm"
        text = " ".join(stored_strings(brief))
        assert not [fact for fact in invented if fact in text]
        assert not [fact for fact in (*PEOPLE, *INSTITUTIONS, *NUMBERS) if fact in text]
        index = build_index([{"summary": source_of(articles)}], ["en"])
        for string in stored_strings(brief):
            assert unsupported(string, index, translated=False, language="en") == []
    groundings = [b.grounding for b, _ in briefs]
    assert all(g is not None for g in groundings)
    removed_total = sum(g.sentences_removed for g in groundings if g)
    assert removed_total > 0
    assert any(g.retries for g in groundings if g)
    counters = snapshot(store)
    assert counters["aitoday_brief_sentences_removed_total"][""] == removed_total
    assert counters["aitoday_brief_sentences_checked_total"][""] == sum(
        g.sentences_checked for g in groundings if g
    )
    # A retry names the emptied part, not the model's words.
    retries = [c for c in fake.calls if "refused" in c.messages[-1]["content"]]
    assert retries and all("Quantix" not in c.messages[-1]["content"] for c in retries)


async def test_a_faithful_model_keeps_its_whole_brief(llm: LLM, llm_store: StoreWithLLM) -> None:
    fake, _ = llm
    fake.default_mode = "faithful"
    store = llm_store("openai/local-model")
    briefs = []
    for articles in stories():
        save(store, articles)
        _, brief = await brief_for(store, story_of(articles), "en")
        briefs.append(brief)

    assert len(fake.calls) == len(briefs)  # no retry
    for brief, call in zip(briefs, fake.calls, strict=True):
        written = json.loads(call.answer)
        assert brief.grounding is not None and brief.grounding.sentences_removed == 0
        assert brief.grounding.fallbacks == [] and brief.grounding.sentences_checked > 0
        assert brief.key_takeaway == written["key_takeaway"]
        assert brief.key_points.what_happened == written["what_happened"]
        assert [f.answer for f in brief.faq] == [f["answer"] for f in written["faq"]]
    chip = briefs[1]
    # Numbers written another way than the article's are still its numbers.
    assert "1000 investors" in chip.dek and "$2bn" not in source_of(NUMBERED)
    assert snapshot(store)["aitoday_brief_sentences_removed_total"] == {"": 0.0}


AGENCY_RULES = (
    "The agency published draft rules for AI models. The rules would require "
    "developers to report serious incidents within a set period. The agency said "
    "the rules matter because incidents have risen. A final vote is expected "
    "after a public consultation closes."
)


def agency_rules(store: Store, n: int, summary: str = AGENCY_RULES) -> list[Article]:
    """Store a one-article story on an agency's draft rules (no Tuesday in it); the article."""
    other = [article(n, "Agency drafts rules", summary)]
    save(store, other)
    return other


async def test_a_part_still_invented_after_the_retry_is_quoted_from_the_sources(
    llm: LLM, llm_store: StoreWithLLM
) -> None:
    fake, _ = llm
    store = llm_store("openai/local-model")
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES)
    # The canned brief names no one; "valid" twice for a story without a Tuesday fails
    # what_happened ("on Tuesday") twice.
    other = agency_rules(store, 7)
    fake.script("local-model", "valid", "valid")

    _, brief = await brief_for(store, story_of(other), "en")

    assert brief.generator.kind == "llm" and brief.grounding is not None
    assert brief.grounding.retries == 1 and "what_happened" in brief.grounding.fallbacks
    assert "Tuesday" not in brief.key_points.what_happened
    assert brief.key_points.what_happened in source_of(other)
    assert len(fake.calls) == 2 and "what_happened" in fake.calls[1].messages[-1]["content"]
    assert snapshot(store)["aitoday_brief_part_fallbacks_total"]['part="what_happened"'] == 1
    _, kept = await brief_for(store, story, "en")
    assert kept.grounding is not None and kept.grounding.sentences_removed == 0


def test_brief_json_shows_the_grounding(llm: LLM, llm_store: StoreWithLLM) -> None:
    fake, api_base = llm
    fake.default_mode = "fabricating"
    store = llm_store("openai/local-model")
    save(store, NUMBERED)
    story = story_of(NUMBERED)
    store.redis.set(store.keys.story(story.id), story.model_dump_json())

    result = run_cli(
        store,
        story.id,
        "--json",
        AITODAY_LLM__MODEL="openai/local-model",
        AITODAY_LLM__API_BASE=api_base,
        AITODAY_LLM__API_KEY="sk-test-not-a-real-key",
        AITODAY_LLM__MAX_RETRIES="0",
    )

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    grounding = shown["grounding"]
    assert grounding == shown["brief"]["grounding"]
    assert grounding["sentences_checked"] > 0
    assert grounding["sentences_removed"] == len(grounding["removed"])
    invented = [fact for call in fake.calls for fact in call.invented]
    assert bool(invented) == (grounding["sentences_removed"] > 0)


def test_a_source_title_as_headline_is_not_checked_even_cut_short() -> None:
    title = "Quantix Labs Hires Elena Marquez To Lead Its 12,450-Person Research Division"
    records = [{"title": title, "summary": "A hiring story."}]

    kept = ground_draft(draft(headline=title[:60] + "…"), records, "en", ["en"])
    invented = ground_draft(
        draft(headline="Helmut Krause joins Northbridge Capital"), records, "en", ["en"]
    )

    assert kept.draft.headline == title[:60] + "…" and "headline" not in kept.emptied
    assert invented.emptied[:1] == ["headline"]


def test_a_summary_the_full_text_holds_is_not_sent_twice() -> None:
    lead = "The lab released a compact open-weight model on Tuesday."
    item = SourceText(
        article_id="1",
        source_id="s",
        source_name="S",
        url="https://s.example.org/a",
        title="Title",
        summary=lead,
        text=f"{lead} The weights are public. It runs on one graphics card.",
        published=datetime(2026, 12, 1, tzinfo=UTC),
        language="en",
        reading_minutes=1,
    )

    (record,) = prompt_records([item], 3000)

    assert record["summary"] == "" and record["text"] == item.text


def test_a_japanese_brief_of_english_articles_keeps_what_it_can_show() -> None:
    records = [
        {
            "title": "OpenAI raises $2 billion",
            "summary": "OpenAI raised $2 billion from 1,000 investors, said Sam Altman.",
        }
    ]
    written = draft(
        headline="OpenAIが20億ドルを調達",
        dek="OpenAIは千人の投資家から20億ドルを調達しました。",
        key_takeaway="Sam Altman氏が発表しました。Quantix Labsも4億ドルを出資しました。",
        what_happened="OpenAIは1000人の投資家から資金を集めました。",
        what_to_watch="",
        faq=[FAQDraft(question="誰が発表しましたか？", answer="Sam Altman氏です。")],
    )

    grounded = ground_draft(written, records, "ja", ["en"])

    assert grounded.draft.key_takeaway == "Sam Altman氏が発表しました。"
    assert grounded.draft.dek == written.dek and grounded.draft.headline == written.headline
    assert grounded.draft.what_happened == written.what_happened
    assert len(grounded.removed) == 1 and "Quantix Labs" in grounded.removed[0]
    assert grounded.emptied == []


async def test_a_broken_retry_keeps_the_first_grounded_answer(
    llm: LLM, llm_store: StoreWithLLM
) -> None:
    fake, _ = llm
    store = llm_store("openai/local-model")
    other = agency_rules(
        store,
        8,
        "The agency published draft rules for AI models. The rules would require "
        "developers to report serious incidents. A final vote is expected next year.",
    )
    fake.script("local-model", "valid", "malformed")  # "on Tuesday" is not in the article

    _, brief = await brief_for(store, story_of(other), "en")

    assert [c.mode for c in fake.calls] == ["valid", "malformed"]
    assert brief.generator.kind == "llm" and brief.grounding is not None
    assert brief.grounding.retries == 1 and brief.grounding.sentences_removed == 1
    assert brief.dek == "The new model runs on a single graphics card."  # the first answer's
    assert "Tuesday" not in " ".join(stored_strings(brief))


async def test_a_translated_brief_with_a_quoted_part_says_its_text_is_the_sources(
    llm: LLM, llm_store: StoreWithLLM
) -> None:
    fake, _ = llm
    store = llm_store("openai/local-model")
    # The Japanese what_happened names a number in no source, twice: it is quoted from
    # the English article, so the brief is no longer all in Japanese.
    other = agency_rules(store, 8)
    fake.script("local-model", "invented_number")

    _, brief = await brief_for(store, story_of(other), "ja")

    assert brief.generator.kind == "llm" and brief.grounding is not None
    assert "what_happened" in brief.grounding.fallbacks
    assert brief.key_points.what_happened in source_of(other)
    assert brief.language == "ja" and brief.content_language == "en"


async def test_a_translated_brief_written_whole_is_in_the_reader_language(
    llm: LLM, llm_store: StoreWithLLM
) -> None:
    store = llm_store("openai/local-model")
    save(store, LAB_ARTICLES)

    _, brief = await brief_for(store, story_of(LAB_ARTICLES), "ja")

    assert brief.generator.kind == "llm" and brief.grounding is not None
    assert brief.grounding.fallbacks == []
    assert brief.content_language == "ja"
