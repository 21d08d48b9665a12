"""The brief page and the landing page with stories, in headless Chromium: the AIToday
format (headline, sources with "1d ago" and reading time, Key takeaway, Key Points with
their headings, FAQ) from an LLM brief (fake OpenAI-compatible server) and from an
extractive one. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bots.web import create_app
from core.config import LLMSettings
from core.store.base import Store
from tests.e2e.browser import chromium, follow, overflows, set_width, shoot
from tests.e2e.data import seed_day
from tests.fakes.llm import fake_llm
from tests.fakes.server import serve


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def text_of(browser: Any) -> str:
    """The visible text, lower-cased (headings are shown in capitals by the stylesheet)."""
    return str(browser.find_element("tag name", "body").text).lower()


def test_extractive_brief_page_and_landing(browser: Any, store: Store) -> None:
    seed_day(store)
    with serve(create_app(store.settings, store)) as site:
        browser.get(site + "/")
        landing = text_of(browser)
        assert "acme ai releases nova-2" in landing and "2 sources" in landing
        shoot(browser, "10-landing-with-stories")

        follow(browser, browser.find_element("partial link text", "Acme AI releases Nova-2"))
        page = text_of(browser)
        assert "key takeaway" in page
        assert "labwire" in page and "paperfeed" in page
        assert "3h ago" in page and "min read" in page
        set_width(browser, 390)
        assert not overflows(browser), "the brief page scrolls sideways on a phone"
        shoot(browser, "11-brief-extractive")

        missing = httpx.get(site + "/s/no-such-story")
        assert missing.status_code == 404 and "Story not found" in missing.text
        assert httpx.get(site + "/s/..%2F..%2Fetc").status_code == 404


def test_llm_brief_page_has_the_whole_format(browser: Any, store: Store) -> None:
    seed_day(store)
    with fake_llm() as (_fake, api_base):
        llm = LLMSettings(
            model="openai/gpt-4o-mini",
            api_base=api_base,
            api_key=SecretStr("sk-test"),
            max_retries=0,
        )
        settings = store.settings.model_copy(update={"llm": llm})
        app_store = Store(redis=store.redis, keys=store.keys, settings=settings)
        with serve(create_app(settings, app_store)) as site:
            browser.get(site + "/s/story-chip-export")
            page = text_of(browser)
            for heading in ("key takeaway", "what happened", "why it matters", "what to watch"):
                assert heading in page, heading
            assert "faq" in page
            assert "chip daily" in page and "20h ago" in page
            shoot(browser, "12-brief-llm")

            browser.get(site + "/s/story-chip-export?lang=ja")
            assert "要点" in text_of(browser) or "重要" in text_of(browser)
            shoot(browser, "13-brief-llm-ja")
