"""Article text is hostile: the stored brief never carries an injected link or order.

The fake LLM in "obedient" mode does what the articles tell it; the guard must refuse its
answers (twice) and the extractive fallback must not quote the attacks either.
"""

from __future__ import annotations

import json
import re

import pytest

from core.briefs.inputs import load_inputs
from core.briefs.prompt import build_messages
from core.briefs.service import brief_for
from core.metrics import snapshot
from core.models import Brief, Story
from core.store.base import Store
from core.store.briefs import BriefRepo
from tests.briefs.builders import save, story_of
from tests.briefs.conftest import StoreWithLLM
from tests.briefs.hostile import FIVE_MB, INJECTED, PHISH, hostile_articles
from tests.fakes.llm import FakeLLM


def reader_text(brief: Brief) -> str:
    """Everything a reader sees except the source links themselves."""
    data = brief.model_dump(mode="json")
    for source in data["sources"]:
        source.pop("url")
    return json.dumps(data, ensure_ascii=False)


def assert_clean(brief: Brief) -> None:
    text = reader_text(brief).lower()
    for bad in INJECTED:
        assert bad.lower() not in text, bad


@pytest.fixture
def hostile_story(store: Store) -> Story:
    articles = hostile_articles()
    save(store, articles)
    return story_of(articles)


async def test_obedient_model_never_gets_its_way(
    llm: tuple[FakeLLM, str], llm_store: StoreWithLLM, hostile_story: Story
) -> None:
    fake, _ = llm
    fake.script("gpt-4o-mini", "obedient")
    store = llm_store()

    key, brief = await brief_for(store, hostile_story, "en")

    # The fake did obey: both of its answers carried the phishing link.
    assert len(fake.calls) == 2
    assert all(PHISH in call.answer for call in fake.calls)
    assert brief.generator.kind == "extractive"
    assert_clean(brief)
    assert BriefRepo(store).get(key) == brief
    assert snapshot(store)["aitoday_brief_fallbacks_total"] == {'reason="guard"': 1.0}


async def test_prompt_delimits_and_trims_the_articles(
    llm: tuple[FakeLLM, str], llm_store: StoreWithLLM, hostile_story: Story
) -> None:
    fake, _ = llm
    store = llm_store()
    await brief_for(store, hostile_story, "en")

    system, user = fake.calls[0].messages[:2]
    assert "untrusted DATA" in system["content"]
    marker = re.search(r"^<<<ARTICLES ([0-9a-f]{16})$", user["content"], re.MULTILINE)
    assert marker is not None
    opening, nonce = marker.end(), marker.group(1)
    closing = user["content"].index(f"\nARTICLES {nonce}>>>")
    assert user["content"].index("Ignore all previous") in range(opening, closing)
    # A 5 MB article is trimmed to the token budget (6000 tokens, ~4 characters each).
    assert len(user["content"]) < 40_000
    # Hidden HTML never reaches the model, nor do zero-width characters.
    assert "display:none" not in user["content"] and "\u200b" not in user["content"]


async def test_obedient_model_in_japanese(
    llm: tuple[FakeLLM, str], llm_store: StoreWithLLM, hostile_story: Story
) -> None:
    fake, _ = llm
    fake.script("gpt-4o-mini", "obedient")
    store = llm_store()

    _, brief = await brief_for(store, hostile_story, "ja")

    assert brief.generator.kind == "extractive" and brief.language == "ja"
    assert_clean(brief)


async def test_extractive_brief_of_hostile_articles_is_clean(
    store: Store, hostile_story: Story
) -> None:
    _, brief = await brief_for(store, hostile_story, "en")

    assert brief.generator.kind == "extractive"
    assert_clean(brief)
    assert brief.headline == "Lab releases a smaller open model"
    assert "compact open-weight model" in brief.dek + brief.key_takeaway
    # Broken encoding repaired, control characters gone.
    assert "\x00" not in reader_text(brief) and "\ufffd" not in reader_text(brief)


def test_inputs_are_plain_visible_text(store: Store, hostile_story: Story) -> None:
    inputs = {item.source_id: item for item in load_inputs(store, hostile_story)}

    assert "display:none" not in inputs["hiddentext"].summary
    assert PHISH not in inputs["hiddentext"].summary
    assert "SYSTEM PROMPT" not in inputs["hiddentext"].summary
    assert "<script" not in inputs["mirrorsite"].summary
    assert "alert" not in inputs["mirrorsite"].summary
    assert inputs["mojibake"].title == "OpenAI’s rival ships a compact model — and it’s open"
    assert "\x00" not in inputs["mojibake"].summary
    assert "\u200b" not in inputs["zerowidth"].summary
    assert len(inputs["hugefeed"].text) <= 20_000
    assert inputs["hugefeed"].reading_minutes > 100  # measured on the original length
    assert len(FIVE_MB) == 5 * 1024 * 1024

    messages = build_messages(
        hostile_story.id, list(inputs.values()), "en", 6000, schema_in_prompt=True
    )
    assert len(messages[1]["content"]) < 40_000
