"""Fixtures for the briefs room: the fake LLM server and stores configured to use it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from core.config import LLMSettings
from core.store.base import Store
from tests.fakes.llm import FakeLLM, fake_llm

StoreWithLLM = Callable[..., Store]


@pytest.fixture
def llm() -> Iterator[tuple[FakeLLM, str]]:
    """The fake OpenAI-compatible server: (fake, api_base)."""
    with fake_llm(slow_seconds=2.0) as running:
        yield running


@pytest.fixture
def llm_store(store: Store, llm: tuple[FakeLLM, str]) -> StoreWithLLM:
    """``llm_store(model=..., **llm_settings)``: the test store, writing briefs with a model
    served by the fake (timeouts short, no retries unless asked)."""
    _, api_base = llm

    def make(model: str = "openai/gpt-4o-mini", **options: Any) -> Store:
        values: dict[str, Any] = {
            "model": model,
            "api_base": api_base,
            "api_key": "sk-test-not-a-real-key",
            "timeout": 5.0,
            "max_retries": 0,
        }
        values.update(options)
        settings = store.settings.model_copy(update={"llm": LLMSettings(**values)})
        return Store(redis=store.redis, keys=store.keys, settings=settings)

    return make
