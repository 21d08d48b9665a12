"""Why this story on the brief page, in headless Chromium at a phone's and a desktop's
width: the reason comes from the story alone (the page is public), in the reader's
language, on one readable line that stays inside the page. Screenshots go to
tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bots.web import create_app
from core.store.base import Store
from tests.e2e.browser import WIDTHS, chromium, overflows, set_width, shoot
from tests.e2e.data import seed_day
from tests.fakes.server import serve


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def reason_box(browser: Any) -> dict[str, float]:
    """The reason line's box and the viewport's width, as the browser lays them out."""
    return dict(
        browser.execute_script(
            "const r = document.getElementById('why-this-story').getBoundingClientRect();"
            "return {left: r.left, right: r.right, height: r.height,"
            " width: document.documentElement.clientWidth};"
        )
    )


@pytest.mark.parametrize("width", WIDTHS.values())
def test_the_brief_page_says_why_this_story_at_every_width(
    browser: Any, store: Store, width: int
) -> None:
    seed_day(store)
    with serve(create_app(store.settings, store)) as site:
        browser.get(site + "/s/story-chip-export")
        set_width(browser, width)
        reason = browser.find_element("id", "why-this-story")
        assert reason.is_displayed()
        assert reason.text.lower().startswith("why this story")
        assert "Told by 2 sources, incl. Chip Daily, Policy Desk" in reason.text
        box = reason_box(browser)
        assert box["left"] >= 0 and box["right"] <= box["width"], box
        assert 0 < box["height"] < 120, "the reason reads at a glance: a line or two"
        assert not overflows(browser)

        browser.get(site + "/s/story-agent-benchmark")  # one source: on its score alone
        assert "One of today’s top stories" in browser.find_element("id", "why-this-story").text

        browser.get(site + "/s/story-chip-export?lang=ja")
        set_width(browser, width)
        text = browser.find_element("id", "why-this-story").text
        assert "選ばれた理由" in text
        assert "2件の情報源が報道（Chip Daily, Policy Desk など）" in text
        assert not overflows(browser)
        if width == WIDTHS["phone"]:
            shoot(browser, "14-brief-reason-ja")
