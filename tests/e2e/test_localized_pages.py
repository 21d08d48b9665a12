"""Each localized page in headless Chromium at 390 and 1280 px, in English, Japanese,
Traditional Chinese, Korean and Thai: the browser's Accept-Language picks the language
(the reader's setting once the page knows the reader), <html lang> says it, nothing
scrolls sideways, and every glyph is drawn by a font that has it, the right one for the
language (see tests/e2e/fonts.py). Screenshots go to tests/artifacts/."""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from typing import Any

import pytest

from bots.web import create_app
from core import tokens
from core.i18n import LANGUAGE_NAMES, label
from core.store.base import Store
from core.store.subscribers import SubscriberRepo
from tests.e2e.browser import (
    WIDTHS,
    chromium,
    click_and_wait,
    follow,
    overflows,
    set_width,
    shoot,
)
from tests.e2e.data import seed_day
from tests.e2e.fonts import require_fonts, text_runs, tofu, wrong_script_fonts
from tests.fakes.server import free_port, serve
from tests.waiting import eventually

BROWSER_LANGUAGES = {
    "en": "en-US,en;q=0.9",
    "ja": "ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7",
    "zh-Hant": "zh-TW,zh;q=0.9,en;q=0.8",
    "ko": "ko-KR,ko;q=0.9",
    "th": "th-TH,th;q=0.9,en;q=0.5",
}
STORY = "story-model-release"


@pytest.fixture
def site(store: Store) -> Iterator[str]:
    port = free_port()
    web = store.settings.web.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})
    settings = store.settings.model_copy(update={"web": web})
    app_store = Store(redis=store.redis, keys=store.keys, settings=settings)
    seed_day(app_store)
    with serve(create_app(settings, app_store), port=port) as base:
        yield base


@pytest.fixture
def browser() -> Iterator[Any]:
    require_fonts()
    with chromium() as driver:
        yield driver


def accept_language(driver: Any, header: str) -> None:
    """What the browser sends as Accept-Language from now on (as if set in its settings)."""
    agent = driver.execute_script("return navigator.userAgent")
    driver.execute_cdp_cmd(
        "Emulation.setUserAgentOverride", {"userAgent": agent, "acceptLanguage": header}
    )


def check_page(driver: Any, lang: str, name: str) -> None:
    """The current page at both widths: its lang, no sideways scroll, no tofu, right fonts."""
    shoot(driver, f"i18n-{name}-{lang}")
    for width in WIDTHS.values():
        set_width(driver, width)
        assert driver.find_element("tag name", "html").get_attribute("lang") == lang, name
        assert not overflows(driver), f"{name} ({lang}) scrolls sideways at {width} px"
        runs = text_runs(driver)
        assert runs, name
        assert not tofu(runs), f"{name} ({lang}) at {width} px: {tofu(runs)[:5]}"
        assert not wrong_script_fonts(runs), wrong_script_fonts(runs)[:5]
        if lang != "en":  # the page really is in that language, in its font
            assert any(run.lang == lang and _has_script(run.text) for run in runs), name
    set_width(driver, WIDTHS["desktop"])


def _has_script(text: str) -> bool:
    return any(ord(char) > 0x2E80 or 0x0E00 <= ord(char) <= 0x0E7F for char in text)


def body_text(driver: Any) -> str:
    return str(driver.find_element("tag name", "body").text)


def confirm_path(store: Store, address: str) -> str:
    def find() -> str:
        path = store.settings.digest.outbox_dir / "maildir"
        if not all((path / part).is_dir() for part in ("tmp", "new", "cur")):
            return ""
        for mail in mailbox.Maildir(path, create=False):
            payload = mail.get_payload(decode=True)
            if mail["To"] == address and isinstance(payload, bytes):
                found = re.search(r"/confirm/\S+", payload.decode())
                if found:
                    return found.group(0)
        return ""

    found = eventually(find, interval=0.05)
    assert found, f"no confirmation mail to {address}"
    return str(found)


@pytest.mark.parametrize("lang", list(BROWSER_LANGUAGES))
def test_every_page_in_the_readers_language(
    site: str, browser: Any, store: Store, lang: str
) -> None:
    from selenium.webdriver.support.ui import Select

    accept_language(browser, BROWSER_LANGUAGES[lang])
    browser.get(site + "/")
    assert label("signup_heading", lang) in body_text(browser)
    check_page(browser, lang, "landing")

    browser.get(f"{site}/s/{STORY}")
    assert label("stay_ahead", lang) in body_text(browser)
    check_page(browser, lang, "brief")

    browser.get(site + "/")
    browser.find_element("id", "email").send_keys("ada@example")
    click_and_wait(browser, "subscribe")
    assert label("error_email", lang, value="ada@example") in body_text(browser)
    check_page(browser, lang, "signup-error")

    address = f"reader-{lang.lower()}@example.com"
    email = browser.find_element("id", "email")
    email.clear()
    email.send_keys(address)
    assert (
        Select(browser.find_element("id", "language")).first_selected_option.get_attribute("value")
        == lang
    )  # the sign-up form offers the page's language
    click_and_wait(browser, "subscribe")
    assert label("check_inbox_title", lang) in body_text(browser)
    check_page(browser, lang, "check-inbox")

    # Once the page knows the reader, their setting wins over what the browser asks.
    accept_language(browser, "de-DE,de;q=0.9")
    browser.get(site + confirm_path(store, address))
    assert label("subscribed_title", lang) in body_text(browser)
    check_page(browser, lang, "confirmed")

    follow(browser, browser.find_element("link text", label("choose_topics_time", lang)))
    assert label("prefs_heading", lang) in body_text(browser)
    check_page(browser, lang, "preferences")

    sub = SubscriberRepo(store).by_address("email", address)
    assert sub is not None and sub.language == lang
    token = tokens.sign(store.settings.signing_key(), "unsubscribe", f"{sub.id}:email")
    browser.get(f"{site}/unsubscribe/{token}")
    assert label("unsubscribe_question", lang) in body_text(browser)
    check_page(browser, lang, "unsubscribe")
    click_and_wait(browser, "unsubscribe")
    assert label("unsubscribed_title", lang) in body_text(browser)
    check_page(browser, lang, "unsubscribed")


def test_the_language_switcher(site: str, browser: Any) -> None:
    accept_language(browser, BROWSER_LANGUAGES["en"])
    browser.get(site + "/")
    switcher = browser.find_element("id", "languages")
    names = [link.text for link in switcher.find_elements("tag name", "a")]
    assert names == list(LANGUAGE_NAMES.values())
    set_width(browser, 390)
    assert not overflows(browser), "the switcher widens the landing page on a phone"
    set_width(browser, WIDTHS["desktop"])
    # Every language's name is drawn in its own script's font, wherever the page is.
    assert not wrong_script_fonts(text_runs(browser))

    follow(browser, switcher.find_element("link text", "繁體中文"))
    assert browser.current_url.endswith("/?lang=zh-Hant")
    assert browser.find_element("tag name", "html").get_attribute("lang") == "zh-Hant"
    current = browser.find_element("css selector", "#languages a[aria-current]")
    assert current.text == "繁體中文"
    shoot(browser, "i18n-switcher-zh-Hant")
    # The choice follows the reader to a story, although the browser still asks English.
    follow(browser, browser.find_element("css selector", f'a.title[href^="/s/{STORY}"]'))
    assert STORY in browser.current_url
    assert browser.find_element("tag name", "html").get_attribute("lang") == "zh-Hant"
    assert label("stay_ahead", "zh-Hant") in body_text(browser)
