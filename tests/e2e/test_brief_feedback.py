"""More / less like this on the brief page, in headless Chromium, at 390 and 1280 px: a
reader who came from their digest (a signed token in the link) taps "Less like this",
sees the note and undoes it; the e-mail's "less" link lands on a one-tap confirm.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bots.web import create_app
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.feedback import FeedbackRepo
from core.store.subscribers import SubscriberRepo
from core.tokens import feedback_token
from tests.e2e.browser import WIDTHS, chromium, click_and_wait, overflows, set_width, shoot
from tests.e2e.data import seed_day
from tests.fakes.server import serve


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def visible(browser: Any, element_id: str) -> bool:
    found = browser.find_elements("id", element_id)
    return bool(found) and bool(found[0].is_displayed())


def inside(browser: Any, element_id: str) -> bool:
    """The element lies within the viewport's width (no button cut off on a phone)."""
    return bool(
        browser.execute_script(
            "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
            "return r.left >= 0 && r.right <= document.documentElement.clientWidth;",
            element_id,
        )
    )


def snap(browser: Any, name: str, width: int) -> None:
    """Screenshots at both widths (once: from the phone run), then back to ``width``."""
    if width == WIDTHS["phone"]:
        shoot(browser, name)
    set_width(browser, width)


@pytest.mark.parametrize("width", list(WIDTHS.values()))
def test_less_then_undo_on_the_brief_page(browser: Any, store: Store, width: int) -> None:
    seed_day(store)
    sub = SubscriberRepo(store).add(new_subscriber(email="reader@example.com"))
    token = feedback_token(store.settings.signing_key(), sub.id)
    with serve(create_app(store.settings, store)) as site:
        set_width(browser, width)
        browser.get(f"{site}/s/story-chip-export?t={token}")
        assert visible(browser, "feedback-more") and visible(browser, "feedback-less")
        assert inside(browser, "feedback-more") and inside(browser, "feedback-less")
        assert not overflows(browser)
        snap(browser, "40-brief-feedback", width)

        click_and_wait(browser, "feedback-less")
        assert visible(browser, "feedback-noted") and visible(browser, "feedback-undo")
        assert (
            "fewer stories like this" in browser.find_element("id", "feedback-noted").text.lower()
        )
        [tap] = FeedbackRepo(store).events(sub.id)
        assert (tap.story_id, tap.direction) == ("story-chip-export", "less")
        assert not overflows(browser)
        snap(browser, "41-brief-feedback-noted", width)

        click_and_wait(browser, "feedback-undo")
        assert visible(browser, "feedback-undone") and visible(browser, "feedback-less")
        assert FeedbackRepo(store).events(sub.id) == []
        snap(browser, "42-brief-feedback-undone", width)


def test_the_emails_less_link_asks_for_one_tap(browser: Any, store: Store) -> None:
    seed_day(store)
    sub = SubscriberRepo(store).add(new_subscriber(email="reader@example.com", language="ja"))
    token = feedback_token(store.settings.signing_key(), sub.id)
    with serve(create_app(store.settings, store)) as site:
        set_width(browser, 390)
        browser.get(f"{site}/s/story-chip-export?t={token}&tap=less")
        assert visible(browser, "feedback-confirm") and inside(browser, "feedback-confirm")
        assert FeedbackRepo(store).events(sub.id) == []  # opening the link records nothing
        shoot(browser, "43-brief-feedback-confirm")
        click_and_wait(browser, "feedback-confirm")
        assert visible(browser, "feedback-noted")
        assert [e.direction for e in FeedbackRepo(store).events(sub.id)] == ["less"]
