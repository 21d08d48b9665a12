"""A configured embedding model (LLM__EMBEDDING_MODEL, through litellm) replaces the
bundled one: every title gets a vector, in any language, cached once per article.
Against the real OpenAI-compatible fake (tests/fakes/llm.py), over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from core.briefs.cache import today
from core.config import LLMSettings
from core.models import Article, Source, Usage, short_hash, utcnow
from core.store.base import Store
from core.store.briefs import BriefRepo
from core.store.sources import SourceRepo
from core.stories.cluster import Doc, cluster_all
from core.stories.embed import embedder_for
from core.stories.embed_llm import LiteLLMEmbedder
from core.stories.service import load_clusterer, update_stories
from tests.fakes.llm import FakeLLM, fake_llm

MODEL = "openai/fake-embed"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[tuple[FakeLLM, str]]:
    with fake_llm() as served:
        yield served


def llm_settings(api_base: str) -> LLMSettings:
    return LLMSettings(embedding_model=MODEL, api_base=api_base, api_key=SecretStr("sk-test"))


def doc(i: str, title: str, hours: float = 0.0) -> Doc:
    return Doc(id=i, title=title, url=f"https://src{i}.example/{i}", source=f"src{i}",
               published=T0 + timedelta(hours=hours))  # fmt: skip


def test_the_configured_model_is_used_instead_of_the_bundled_one(
    fake: tuple[FakeLLM, str],
) -> None:
    server, base = fake
    embedder = embedder_for(llm_settings(base))
    assert isinstance(embedder, LiteLLMEmbedder) and embedder.cross_lingual
    rows = embedder.embed(["Apple acquires an AI startup", "苹果收购AI初创公司"])
    assert rows.shape[0] == 2 and float(rows[0] @ rows[1]) > 0.5
    assert server.embedding_calls == [(MODEL.split("/")[1], 2)]
    assert embedder_for(LLMSettings()).name.startswith("wordllama")


def test_across_languages_meaning_joins_what_anchors_alone_cannot(
    fake: tuple[FakeLLM, str],
) -> None:
    _, base = fake
    docs = [
        doc("en", "Apple acquires AI startup to speed up Siri overhaul"),
        doc("zh", "苹果收购AI初创公司，加速Siri改造", 1),
        doc("other", "谷歌发布Gemini 3模型", 1),
    ]
    offline = dict(cluster_all(docs, window_hours=72))
    assert offline["en"] != offline["zh"]  # one shared name is not enough to anchor
    result = dict(cluster_all(docs, window_hours=72, embedder=embedder_for(llm_settings(base))))
    assert result["en"] == result["zh"] != result["other"]


def test_different_amounts_stay_apart_whatever_the_model_says(
    fake: tuple[FakeLLM, str],
) -> None:
    _, base = fake
    docs = [
        doc("a", "Amazon invests another $4 billion in Anthropic"),
        doc("b", "Amazon、Anthropicに80億ドルを追加出資", 1),
    ]
    result = dict(cluster_all(docs, window_hours=72, embedder=embedder_for(llm_settings(base))))
    assert result["a"] != result["b"]


def test_a_failing_model_leaves_the_lexical_signal() -> None:
    settings = LLMSettings(embedding_model=MODEL, api_base="http://127.0.0.1:9/v1", timeout=2)
    docs = [doc("1", "Anthropic releases Claude 5 with a 1M-token context window"),
            doc("2", "Anthropic launches Claude 5, its most capable model yet", 1)]  # fmt: skip
    result = dict(cluster_all(docs, window_hours=72, embedder=embedder_for(settings)))
    assert result["1"] == result["2"]


def test_one_vector_per_article_is_cached_under_the_models_key(
    store: Store, fake: tuple[FakeLLM, str]
) -> None:
    server, base = fake
    store.settings.llm = llm_settings(base)
    SourceRepo(store).put_many([Source(id="wire", url="https://wire.example/feed", title="W")])
    now = utcnow()
    first = Article(id="artj", url="https://wire.example/j", title="谷歌发布Gemini 3模型",
                    source_id="wire", published=now - timedelta(hours=1), fetched=now,
                    content_hash="h1")  # fmt: skip
    update_stories(store, [first])
    key = store.keys.embedding_vector(short_hash("embedder", f"litellm:{MODEL}", size=8), "artj")
    code = store.redis.get(key)
    assert isinstance(code, bytes) and len(code) > 0  # a CJK title too, with a model
    assert store.redis.get(store.keys.cluster_vector("artj")) is None
    calls = len(server.embedding_calls)
    clusterer = load_clusterer(store)
    assert clusterer.take_codes() == {} and len(server.embedding_calls) == calls  # reused


def test_title_embeddings_spend_the_daily_llm_budget(
    store: Store, fake: tuple[FakeLLM, str]
) -> None:
    server, base = fake
    store.settings.llm = llm_settings(base).model_copy(update={"daily_budget_usd": 0.5})
    SourceRepo(store).put_many([Source(id="wire", url="https://wire.example/feed", title="W")])
    now = utcnow()

    def article(i: str, title: str) -> Article:
        return Article(id=i, url=f"https://wire.example/{i}", title=title, source_id="wire",
                       published=now - timedelta(hours=1), fetched=now, content_hash=i)  # fmt: skip

    repo = BriefRepo(store)
    update_stories(store, [article("a1", "谷歌发布Gemini 3模型")])
    spent = repo.spend(today())
    assert spent.calls == 1 and spent.prompt_tokens > 0  # the request is counted
    calls = len(server.embedding_calls)
    repo.add_spend(today(), Usage(cost_usd=1.0), calls=1)  # the day's budget is now spent
    update_stories(store, [article("a2", "Apple acquires an AI startup")])
    assert len(server.embedding_calls) == calls  # not asked once the budget is spent
    assert repo.spend(today()).calls == 2
