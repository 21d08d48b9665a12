"""Every page in the reader's language, through the real app on a real port: the stored
setting where the page knows the reader, else ?lang=, else Accept-Language (with Vary),
else English; <html lang> set; the sign-up mails in the language chosen."""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from bots.web import create_app
from core import tokens
from core.i18n import LABELS, LANGUAGE_NAMES, label
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.subscribers import SubscriberRepo
from core.stories.topics import TOPICS
from tests.e2e.data import seed_day
from tests.fakes.server import serve
from tests.waiting import eventually


@pytest.fixture
def web(store: Store) -> Iterator[httpx.Client]:
    with serve(create_app(store.settings, store)) as base, httpx.Client(base_url=base) as client:
        yield client


def shown(key: str, lang: str, **values: object) -> str:
    """A label as the page's HTML shows it (escaped)."""
    return str(escape(label(key, lang, **values)))


def html_lang(response: httpx.Response) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.text)
    assert found, response.text[:200]
    return found.group(1)


def varies_by_language(response: httpx.Response) -> bool:
    return "accept-language" in response.headers.get("vary", "").lower()


def mails_in(outbox: Path) -> list[Message]:
    # The Maildir's folders appear one by one while the first mail is written.
    if not all((outbox / part).is_dir() for part in ("tmp", "new", "cur")):
        return []
    return list(mailbox.Maildir(outbox, create=False))


def preferences_token(store: Store, language: str) -> str:
    sub = SubscriberRepo(store).add(new_subscriber(email="r@example.com", language=language))
    return tokens.sign(store.settings.signing_key(), "preferences", sub.id)


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("zh-TW,zh;q=0.9,en;q=0.8", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("pt-BR,es;q=0.5", "es"),
        ("ja-JP", "ja"),
        ("th;q=0.9,ko", "ko"),
        ("pt-BR", "en"),
    ],
)
def test_the_landing_page_speaks_the_browsers_language(
    web: httpx.Client, accept: str, lang: str
) -> None:
    answer = web.get("/", headers={"Accept-Language": accept})
    assert answer.status_code == 200
    assert html_lang(answer) == lang == answer.headers["content-language"]
    assert shown("signup_heading", lang) in answer.text
    assert shown("site_footer", lang) in answer.text
    assert varies_by_language(answer)


def test_lang_query_wins_over_the_header_and_sticks_to_links(
    web: httpx.Client, store: Store
) -> None:
    seed_day(store)
    answer = web.get("/?lang=th", headers={"Accept-Language": "ko"})
    assert html_lang(answer) == "th" and shown("subscribe_button", "th") in answer.text
    assert not varies_by_language(answer)
    switcher = re.search(r'<nav class="langs".*?</nav>', answer.text, re.S)
    assert switcher
    links = re.findall(r'<a href="/\?lang=([^"]+)" lang="([^"]+)" hreflang="([^"]+)"', switcher[0])
    assert [code for code, _, _ in links] == list(LANGUAGE_NAMES)
    assert all(code == tag == hreflang for code, tag, hreflang in links)
    assert re.search(r'lang="th"[^>]* aria-current="true">ไทย</a>', switcher[0])
    assert 'action="/subscribe?lang=th"' in answer.text
    assert 'href="/s/story-model-release?lang=th"' in answer.text
    assert '<option value="th" lang="th" selected>' in answer.text  # the sign-up language


def test_a_known_reader_gets_their_setting_whatever_the_browser_says(
    web: httpx.Client, store: Store
) -> None:
    token = preferences_token(store, "ko")
    answer = web.get(f"/preferences/{token}?lang=fr", headers={"Accept-Language": "de"})
    assert answer.status_code == 200 and html_lang(answer) == "ko"
    assert shown("prefs_heading", "ko") in answer.text
    assert shown("topic_chips", "ko") in answer.text
    assert shown("freq_weekdays", "ko") in answer.text
    assert not varies_by_language(answer)
    # Saving another language answers in that language at once.
    saved = web.post(f"/preferences/{token}", data={"language": "th", "email_active": "on"})
    assert html_lang(saved) == "th" and shown("prefs_saved", "th") in saved.text


def test_preferences_errors_in_the_readers_language(web: httpx.Client, store: Store) -> None:
    token = preferences_token(store, "de")
    answer = web.post(f"/preferences/{token}", data={"time": "25:99", "timezone": "Mars/Base"})
    assert answer.status_code == 400
    assert shown("error_time", "de", value="25:99") in answer.text
    assert shown("error_timezone", "de", value="Mars/Base") in answer.text
    assert shown("prefs_not_saved", "de") in answer.text


def test_a_sign_up_error_speaks_the_page_language_and_keeps_every_choice(
    web: httpx.Client,
) -> None:
    answer = web.post(
        "/subscribe?lang=de",
        data={"email": "ada@example", "language": "th", "delivery_time": "06:15"},
    )
    assert answer.status_code == 400 and html_lang(answer) == "de"
    assert shown("error_email", "de", value="ada@example") in answer.text
    assert 'value="ada@example"' in answer.text
    assert '<option value="th" lang="th" selected>' in answer.text
    assert 'value="06:15"' in answer.text


def test_the_confirmation_mail_and_page_follow_the_chosen_language(
    web: httpx.Client, store: Store
) -> None:
    answer = web.post(
        "/subscribe",
        data={"email": "som@example.com", "language": "th", "timezone": "Asia/Bangkok"},
        headers={"Accept-Language": "es-ES,es;q=0.9"},
    )
    # The answer is in the language of the page the reader filled in ...
    assert html_lang(answer) == "es" and shown("check_inbox_title", "es") in answer.text
    assert varies_by_language(answer)
    # ... the mail and everything after it in the language they chose for their digest.
    outbox = store.settings.digest.outbox_dir / "maildir"
    mails = eventually(lambda: mails_in(outbox))
    [mail] = mails
    assert str(make_header(decode_header(mail["Subject"]))) == label("mail_confirm_subject", "th")
    assert mail["Content-Language"] == "th"
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    assert "โปรดยืนยันด้วยลิงก์นี้" in body
    found = re.search(r"/confirm/\S+", body)
    assert found
    confirmed = web.get(found.group(0), headers={"Accept-Language": "es"})
    assert html_lang(confirmed) == "th"
    assert shown("subscribed_body", "th", time="07:30", zone="Asia/Bangkok") in confirmed.text
    assert shown("choose_topics_time", "th") in confirmed.text


def test_unsubscribe_in_the_readers_language(web: httpx.Client, store: Store) -> None:
    sub = SubscriberRepo(store).add(new_subscriber(email="u@example.com", language="ja"))
    token = tokens.sign(store.settings.signing_key(), "unsubscribe", f"{sub.id}:email")
    asked = web.get(f"/unsubscribe/{token}", headers={"Accept-Language": "en"})
    assert html_lang(asked) == "ja"
    assert shown("unsubscribe_body", "ja", channel=label("channel_email", "ja")) in asked.text
    done = web.post(f"/unsubscribe/{token}")
    assert html_lang(done) == "ja" and shown("unsubscribed_title", "ja") in done.text


def test_bad_links_and_missing_pages_speak_the_browsers_language(web: httpx.Client) -> None:
    bad = web.get("/confirm/garbage", headers={"Accept-Language": "ja"})
    assert bad.status_code == 400 and html_lang(bad) == "ja"
    assert shown("bad_link_body", "ja", reason=label("link_invalid", "ja")) in bad.text
    assert varies_by_language(bad)
    missing = web.get("/no/such/page", headers={"Accept-Language": "ko-KR"})
    assert missing.status_code == 404 and html_lang(missing) == "ko"
    assert shown("page_not_found_title", "ko") in missing.text
    story = web.get("/s/no-such-story", headers={"Accept-Language": "fr-CA"})
    assert story.status_code == 404 and shown("story_not_found_title", "fr") in story.text


def test_the_brief_pages_chrome_speaks_the_browsers_language(
    web: httpx.Client, store: Store
) -> None:
    seed_day(store)
    answer = web.get("/s/story-model-release", headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    assert answer.status_code == 200 and html_lang(answer) == "zh-Hant"
    for key in ("key_takeaway", "sources", "stay_ahead", "site_footer", "get_started"):
        assert shown(key, "zh-Hant") in answer.text, key
    assert varies_by_language(answer)
    # The brief's own text is quoted from English sources: it says so, for fonts and readers.
    assert re.search(r'<h1 lang="en">', answer.text)
    assert re.search(r'<section class="takeaway"><h2>[^<]+</h2><p lang="en">', answer.text)


def test_every_topic_has_a_name_in_every_language() -> None:
    for slug in TOPICS:
        assert f"topic_{slug}" in LABELS, f"core/labels/site.py lacks topic_{slug}"
