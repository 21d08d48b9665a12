"""A story merged across languages: its brief names the sources in every language, and a
reader gets it in their own language (with a model: written in it; offline: quoted from
the sources in that language when the story has any)."""

from __future__ import annotations

import asyncio

import pytest

from core.briefs.service import brief_for
from core.store.base import Store
from core.stories.cluster import Doc, cluster_all
from tests.briefs import conftest as briefs_room
from tests.briefs.builders import article, save, story_of
from tests.briefs.conftest import StoreWithLLM

llm, llm_store = briefs_room.llm, briefs_room.llm_store  # the briefs room's fixtures

# litellm ignores this pydantic warning by a filter it installs when first imported; when
# an earlier test imported it, pytest has dropped that filter since: install it again.
pytestmark = pytest.mark.filterwarnings("ignore:.*`ReadOnly` qualifier.*:UserWarning")

EN = article(
    1,
    "Anthropic raises $13 billion at a $183 billion valuation",
    "Anthropic raised $13 billion in new funding on Tuesday, valuing the company at "
    "$183 billion. The company said the money will pay for more computing capacity. "
    "It plans to hire more engineers over the coming year.",
    source_id="techwire",
)
JA = article(
    2,
    "Anthropic、130億ドルを調達 評価額1830億ドル",
    "Anthropicは火曜日、130億ドルの資金調達を発表した。評価額は1830億ドルとなる。"
    "同社は調達した資金で計算能力を増強するとしている。"
    "今後一年で技術者の採用を増やす計画だ。",
    source_id="nikkei",
    language="ja",
)


def _one_story() -> None:
    docs = [Doc(id=a.id, title=a.title, url=a.url, source=a.source_id, published=a.published)
            for a in (EN, JA)]  # fmt: skip
    placed = dict(cluster_all(docs, window_hours=72))
    assert placed[EN.id] == placed[JA.id]  # the premise: one story in two languages


def test_offline_brief_names_both_sources_and_quotes_the_readers_language(
    store: Store,
) -> None:
    _one_story()
    save(store, [EN, JA])
    story = story_of([EN, JA])
    for lang, quoted in (("en", EN), ("ja", JA)):
        _, brief = asyncio.run(brief_for(store, story, lang))
        assert {s.url for s in brief.sources} == {EN.url, JA.url}
        assert brief.language == lang
        assert brief.content_language == lang
        assert brief.key_takeaway and brief.key_takeaway in quoted.summary


def test_model_brief_names_both_sources_and_is_written_in_the_readers_language(
    llm_store: StoreWithLLM,
) -> None:
    store = llm_store()
    save(store, [EN, JA])
    story = story_of([JA, EN])
    for lang in ("en", "ja"):
        _, brief = asyncio.run(brief_for(store, story, lang))
        assert {s.url for s in brief.sources} == {EN.url, JA.url}
        assert brief.language == lang and brief.generator.kind == "llm"
