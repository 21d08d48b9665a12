"""The LLM writer through litellm against a real local OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import logging

import pytest

from core.briefs.cache import extractive_key, llm_key, today
from core.briefs.service import brief_for, ensure_briefs_async
from core.metrics import snapshot
from core.store.briefs import BriefRepo
from tests.briefs.builders import LAB_ARTICLES, article, save, story_of
from tests.briefs.conftest import StoreWithLLM
from tests.fakes.llm import FakeLLM

LLM = tuple[FakeLLM, str]


async def test_valid_answer_is_stored_with_usage_and_cost(
    llm: LLM, llm_store: StoreWithLLM
) -> None:
    fake, _ = llm
    store = llm_store("openai/gpt-4o-mini")
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES, ["open models"])

    key, brief = await brief_for(store, story, "en")

    assert key == llm_key(story, "openai/gpt-4o-mini", "en")
    assert brief.generator.kind == "llm"
    assert brief.headline == "Lab releases a smaller open model"
    assert len(brief.faq) == 2
    assert brief.key_points.why_it_matters
    assert [s.url for s in brief.sources] == [a.url for a in LAB_ARTICLES]
    assert brief.usage is not None and brief.usage.prompt_tokens > 0
    assert brief.usage.cost_usd > 0  # gpt-4o-mini has a price in litellm's local map
    # A model that supports structured output gets the JSON schema.
    (call,) = fake.calls
    assert call.response_format["type"] == "json_schema"
    spend = BriefRepo(store).spend(today())
    assert spend.calls == 1 and spend.cost_usd == brief.usage.cost_usd
    counters = snapshot(store)
    assert counters["aitoday_briefs_total"] == {'generator="llm"': 1.0}
    assert counters["aitoday_llm_tokens_total"]['kind="prompt"'] == brief.usage.prompt_tokens
    assert counters["aitoday_llm_cost_usd_total"][""] == brief.usage.cost_usd


async def test_second_run_is_a_cache_hit(llm: LLM, llm_store: StoreWithLLM) -> None:
    fake, _ = llm
    store = llm_store()
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES)

    first = await brief_for(store, story, "en")
    second = await brief_for(store, story, "en")

    assert first == second
    assert len(fake.calls) == 1
    assert BriefRepo(store).latest(story.id, "en") == first


async def test_model_without_schema_support_gets_the_schema_in_the_prompt(
    llm: LLM, llm_store: StoreWithLLM
) -> None:
    fake, _ = llm
    store = llm_store("openai/local-model")
    save(store, LAB_ARTICLES)

    _, brief = await brief_for(store, story_of(LAB_ARTICLES), "ja")

    assert brief.generator.kind == "llm" and brief.language == "ja"
    assert brief.headline == "研究所が小型のオープンモデルを公開"
    (call,) = fake.calls
    assert call.response_format is None
    assert "JSON schema" in call.messages[0]["content"]
    assert "language code: ja" in call.messages[1]["content"]


async def test_malformed_json_is_retried_once(llm: LLM, llm_store: StoreWithLLM) -> None:
    fake, _ = llm
    fake.script("local-model", "malformed", "valid")
    store = llm_store("openai/local-model")
    save(store, LAB_ARTICLES)

    _, brief = await brief_for(store, story_of(LAB_ARTICLES), "en")

    assert brief.generator.kind == "llm"
    assert [c.mode for c in fake.calls] == ["malformed", "valid"]
    assert "refused" in fake.calls[1].messages[-1]["content"]
    assert BriefRepo(store).spend(today()).calls == 2


async def test_twice_malformed_falls_back_to_extractive(llm: LLM, llm_store: StoreWithLLM) -> None:
    fake, _ = llm
    fake.script("local-model", "malformed")
    store = llm_store("openai/local-model")
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES)

    key, brief = await brief_for(store, story, "en")

    assert len(fake.calls) == 2
    assert brief.generator.kind == "extractive"
    assert key == extractive_key(story, "en")
    counters = snapshot(store)
    assert counters["aitoday_brief_fallbacks_total"] == {'reason="invalid_output"': 1.0}
    # The failure is remembered: the next tick does not call the model again.
    assert await brief_for(store, story, "en") == (key, brief)
    assert len(fake.calls) == 2


async def test_schema_violation_falls_back(llm: LLM, llm_store: StoreWithLLM) -> None:
    fake, _ = llm
    fake.script("gpt-4o-mini", "schema")
    store = llm_store()
    save(store, LAB_ARTICLES)

    _, brief = await brief_for(store, story_of(LAB_ARTICLES), "en")

    assert brief.generator.kind == "extractive"
    assert [c.mode for c in fake.calls] == ["schema", "schema"]
    assert "schema" in fake.calls[1].messages[-1]["content"]


async def test_slow_answer_times_out_and_falls_back(llm: LLM, llm_store: StoreWithLLM) -> None:
    fake, _ = llm
    fake.script("gpt-4o-mini", "slow")
    store = llm_store(timeout=0.5)
    save(store, LAB_ARTICLES)

    _, brief = await brief_for(store, story_of(LAB_ARTICLES), "en")

    assert brief.generator.kind == "extractive"
    assert snapshot(store)["aitoday_brief_fallbacks_total"] == {'reason="llm_error"': 1.0}


async def test_rate_limited_model_falls_back_to_the_next_model(
    llm: LLM, llm_store: StoreWithLLM
) -> None:
    fake, _ = llm
    fake.script("gpt-4o-mini", "rate_limit")
    store = llm_store(fallbacks=["openai/backup-model"])
    save(store, LAB_ARTICLES)

    _, brief = await brief_for(store, story_of(LAB_ARTICLES), "en")

    assert brief.generator.kind == "llm"
    assert brief.generator.model == "openai/backup-model"
    assert [c.model for c in fake.calls] == ["gpt-4o-mini", "backup-model"]


async def test_answer_in_the_wrong_language_is_refused(llm: LLM, llm_store: StoreWithLLM) -> None:
    fake, _ = llm
    fake.script("gpt-4o-mini", "wrong_language")
    store = llm_store()
    save(store, LAB_ARTICLES)

    _, brief = await brief_for(store, story_of(LAB_ARTICLES), "ja")

    assert brief.generator.kind == "extractive"
    assert brief.language == "ja" and brief.content_language == "en"
    assert "language" in fake.calls[1].messages[-1]["content"]
    assert snapshot(store)["aitoday_brief_fallbacks_total"] == {'reason="guard"': 1.0}


async def test_daily_budget_spent_means_extractive_without_calling(
    llm: LLM, llm_store: StoreWithLLM
) -> None:
    fake, _ = llm
    store = llm_store(daily_budget_usd=0.0001)
    save(store, LAB_ARTICLES)
    second = [article(3, "Another lab ships a chip", "The chip doubles inference speed.")]
    save(store, second)

    _, first_brief = await brief_for(store, story_of(LAB_ARTICLES), "en")
    _, second_brief = await brief_for(store, story_of(second), "en")

    assert first_brief.generator.kind == "llm"  # the first call spends past the budget
    assert second_brief.generator.kind == "extractive"
    assert len(fake.calls) == 1
    assert snapshot(store)["aitoday_brief_fallbacks_total"] == {'reason="budget"': 1.0}
    assert BriefRepo(store).spend(today()).fallbacks == 1


async def test_ensure_briefs_writes_one_brief_per_story_and_language(
    llm: LLM, llm_store: StoreWithLLM
) -> None:
    fake, _ = llm
    store = llm_store()
    other = [
        article(4, "Regulators publish AI rules", "The agency published draft rules on Tuesday.")
    ]
    save(store, [*LAB_ARTICLES, *other])
    stories = [story_of(LAB_ARTICLES), story_of(other)]

    keys = await ensure_briefs_async(store, [*stories, stories[0]], ["en", "JA", "ja"])

    assert set(keys) == {(s.id, lang) for s in stories for lang in ("en", "JA", "ja")}
    assert all(keys[(s.id, "JA")] == keys[(s.id, "ja")] for s in stories)
    assert len(fake.calls) == 4
    found = BriefRepo(store).get_many(list(keys.values()))
    assert {b.language for b in found.values()} == {"en", "ja"}
    again = await ensure_briefs_async(store, stories, ["en", "ja"])
    assert again == {k: v for k, v in keys.items() if k[1] != "JA"} and len(fake.calls) == 4


async def test_concurrent_requests_for_one_brief_make_one_call(
    llm: LLM, llm_store: StoreWithLLM
) -> None:
    fake, _ = llm
    store = llm_store()
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES)

    # Two callers that do not share a writer, as the web page and the editions tick.
    results = await asyncio.gather(*(brief_for(store, story, "en") for _ in range(3)))

    assert len(fake.calls) == 1
    assert all(result == results[0] for result in results)
    assert results[0][1].generator.kind == "llm"
    assert not BriefRepo(store).claimed(results[0][0])


async def test_a_rejected_key_never_reaches_the_logs(
    llm: LLM, llm_store: StoreWithLLM, caplog: pytest.LogCaptureFixture
) -> None:
    fake, _ = llm
    fake.script("gpt-4o-mini", "unauthorized")
    store = llm_store(api_key="custom-secret-4f9a8b7c6d")  # no sk- prefix for scrub to see
    save(store, LAB_ARTICLES)

    with caplog.at_level(logging.DEBUG):
        _, brief = await brief_for(store, story_of(LAB_ARTICLES), "en")

    assert brief.generator.kind == "extractive"
    assert fake.calls[0].mode == "unauthorized"
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("core.briefs"))
    assert "llm_error" in ours and "AuthenticationError" in ours
    everything = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "custom-secret-4f9a8b7c6d" not in everything + caplog.text
