"""The web flows as a person uses them, in headless Chromium against the real app:
sign up -> confirm -> preferences -> unsubscribe. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import mailbox
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from bots.web import create_app
from core import tokens
from core.i18n import label
from core.models import ChannelStatus
from core.store.base import Store
from core.store.subscribers import SubscriberRepo
from tests.channels import channel_of
from tests.e2e.browser import chromium, click_and_wait, follow, overflows, set_width, shoot
from tests.fakes.server import free_port, serve
from tests.waiting import eventually


@pytest.fixture
def site(store: Store) -> Iterator[str]:
    port = free_port()
    web = store.settings.web.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})
    settings = store.settings.model_copy(update={"web": web})
    app_store = Store(redis=store.redis, keys=store.keys, settings=settings)
    with serve(create_app(settings, app_store), port=port) as base:
        yield base


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def confirm_link(store: Store) -> str:
    link = eventually(lambda: _confirm_link_in_outbox(store), interval=0.05)
    assert link, "no confirmation mail in the outbox"
    return link


def _confirm_link_in_outbox(store: Store) -> str:
    path = store.settings.digest.outbox_dir / "maildir"
    if not all((path / part).is_dir() for part in ("tmp", "new", "cur")):
        return ""
    for mail in mailbox.Maildir(path, create=False):
        payload = mail.get_payload(decode=True)
        assert isinstance(payload, bytes), payload
        body = payload.decode()
        found = re.search(r"https?://\S+/confirm/\S+", body)
        if found:
            return "/confirm/" + found.group(0).rsplit("/confirm/", 1)[1]
    return ""


def text_of(browser: Any) -> str:
    """The page's text, once a navigation has settled (stale elements are retried)."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(100):
        try:
            if browser.execute_script("return document.readyState") == "complete":
                return str(browser.find_element("tag name", "body").text)
        except StaleElementReferenceException:
            pass
        time.sleep(0.05)
    return ""


def test_sign_up_confirm_preferences_unsubscribe(site: str, browser: Any, store: Store) -> None:
    from selenium.webdriver.support.ui import Select

    browser.get(site + "/")
    set_width(browser, 390)
    assert not overflows(browser), "the landing page scrolls sideways on a phone"
    shoot(browser, "01-landing")

    browser.find_element("id", "email").send_keys("ada@example.com")
    Select(browser.find_element("id", "language")).select_by_value("ja")
    click_and_wait(browser, "subscribe")
    assert "Check your inbox" in text_of(browser)
    shoot(browser, "02-check-inbox")

    sub = SubscriberRepo(store).by_address("email", "ada@example.com")
    assert sub is not None and sub.language == "ja"
    assert sub.timezone != ""  # the browser's own zone, sent by the page's script

    # From here on the pages know the reader: they speak the language chosen (Japanese).
    browser.get(site + confirm_link(store))
    assert label("subscribed_title", "ja") in text_of(browser)
    assert browser.find_element("tag name", "html").get_attribute("lang") == "ja"
    shoot(browser, "03-confirmed")

    follow(browser, browser.find_element("link text", label("choose_topics_time", "ja")))
    set_width(browser, 390)
    assert not overflows(browser), "the preferences page scrolls sideways on a phone"
    shoot(browser, "04-preferences")
    time_input = browser.find_element("id", "time")
    browser.execute_script("arguments[0].value = '06:45'", time_input)
    timezone = browser.find_element("id", "timezone")
    timezone.clear()
    timezone.send_keys("Asia/Tokyo")
    exclude = browser.find_element("id", "exclude")
    exclude.send_keys("crypto")
    browser.find_element("css selector", "input[name=topics][value=chips]").click()
    click_and_wait(browser, "save")
    assert label("prefs_saved", "ja") in text_of(browser)
    shoot(browser, "05-preferences-saved")
    saved = SubscriberRepo(store).get(sub.id)
    assert saved is not None
    assert (saved.delivery_time, saved.timezone) == ("06:45", "Asia/Tokyo")
    assert saved.prefs.exclude_keywords == ["crypto"]
    assert saved.prefs.topics_followed == ["chips"]

    token = tokens.sign(store.settings.signing_key(), "unsubscribe", f"{sub.id}:email")
    browser.get(f"{site}/unsubscribe/{token}")
    shoot(browser, "06-unsubscribe")
    click_and_wait(browser, "unsubscribe")
    assert label("unsubscribed_title", "ja") in text_of(browser)
    shoot(browser, "07-unsubscribed")
    gone = SubscriberRepo(store).get(sub.id)
    assert channel_of(gone, "email").status is ChannelStatus.UNSUBSCRIBED


def test_bad_input_and_bad_links_are_explained(site: str, browser: Any, store: Store) -> None:
    browser.get(site + "/")
    email = browser.find_element("id", "email")
    # The browser's own check would stop "nope"; a typo with an @ reaches the server.
    email.send_keys("ada@example")
    click_and_wait(browser, "subscribe")
    assert "is not an e-mail address" in text_of(browser)
    assert browser.find_element("id", "email").get_attribute("value") == "ada@example"
    shoot(browser, "08-signup-error")
    browser.get(site + "/confirm/not-a-token")
    assert "This link does not work" in text_of(browser)
    shoot(browser, "09-bad-link")


def test_landing_offers_slack_and_line(browser: Any, store: Store) -> None:
    from core.config import LineSettings, SlackSettings

    settings = store.settings.model_copy(
        update={
            "slack": SlackSettings(
                signing_secret=SecretStr("s"), client_id="1.2", client_secret=SecretStr("c")
            ),
            "line": LineSettings(add_friend_url="https://line.me/R/ti/p/@aitoday-example"),
        }
    )
    app_store = Store(redis=store.redis, keys=store.keys, settings=settings)
    with serve(create_app(settings, app_store)) as site:
        browser.get(site + "/")
        assert (
            browser.find_element("link text", "Add to Slack")
            .get_attribute("href")
            .endswith("/slack/install")
        )
        line = browser.find_element("link text", "Add LINE friend")
        assert line.get_attribute("href") == "https://line.me/R/ti/p/@aitoday-example"
        assert browser.find_elements("css selector", ".qr svg")
        set_width(browser, 390)
        assert not overflows(browser)
        shoot(browser, "14-landing-slack-line")
