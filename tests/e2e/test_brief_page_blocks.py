"""The brief page's seed blocks in headless Chromium at 390 and 1280 px: the sign-up
prompt after the takeaway, the "N Key Points" heading, the sources with reading time
(names that look like links), the "Stay ahead" block and the footer with the real number
of enabled sources and this server's channels, the lead image linked to its article;
and the page in Japanese. Then a Japanese reader's e-mail: local date, Japanese subject,
labels in order, the lead image. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from bots.email.render import render_email
from bots.web import create_app
from core.config import SlackSettings
from core.models import BriefImage
from core.store.articles import ArticleRepo
from core.store.base import Store
from core.store.sources import SourceRepo
from tests.e2e.browser import WIDTHS, chromium, overflows, set_width, shoot
from tests.e2e.data import seed_day
from tests.fakes.server import serve
from tests.render.editions import make_edition

STORY = "story-model-release"


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def png(width: int, height: int) -> bytes:
    """A solid indigo PNG, made here (nothing is downloaded)."""
    row = b"\x00" + bytes((79, 70, 229)) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def image_server() -> Starlette:
    async def lead(_request: Any) -> Response:
        return Response(png(240, 126), media_type="image/png")

    return Starlette(routes=[Route("/lead.png", lead)])


def with_images(store: Store, image_url: str) -> None:
    """Give the story's articles a lead image, as the page fetch of the ingest would."""
    repo = ArticleRepo(store)
    stories = seed_day(store)
    story = next(s for s in stories if s.id == STORY)
    articles = repo.get_many([a.id for a in story.articles])
    repo.replace_many([a.model_copy(update={"image": image_url}) for a in articles])


def text_of(browser: Any) -> str:
    return str(browser.find_element("tag name", "body").text)


def test_brief_page_has_the_seed_blocks_at_both_widths(browser: Any, store: Store) -> None:
    with serve(image_server()) as images:
        with_images(store, images + "/lead.png")
        enabled = sum(1 for s in SourceRepo(store).all() if s.enabled)
        with serve(create_app(store.settings, store)) as site:
            browser.get(f"{site}/s/{STORY}")
            text = text_of(browser)
            lowered = text.lower()
            order = [
                "key takeaway",
                "summaries like this, in your inbox every morning. sign up free →",
                "key points",
                "what happened",
                "sources",
                "stay ahead with ai news",
                f"get curated ai news from {enabled} sources delivered daily to your inbox.",
                "get started free",
                "takes 30 seconds · unsubscribe anytime",
                "5 minutes a day. the ai essentials.",
                f"{enabled} sources · email · get it free →",
            ]
            cursor = 0
            for part in order:  # each one after the one before it
                at = lowered.find(part, cursor)
                assert at != -1, f"{part!r} missing or out of the seed page's order"
                cursor = at + len(part)
            assert "slack" not in lowered and "line ·" not in lowered  # none set up here

            for link_id in ("signup-inline", "stay-ahead", "brief-footer"):
                href = browser.find_element("css selector", f"#{link_id} a").get_attribute("href")
                assert href == f"{site}/#signup"

            source = browser.find_element("css selector", ".sources a.name")
            assert "underline" in source.value_of_css_property("text-decoration-line")
            assert source.get_attribute("href").startswith("https://")

            image = browser.find_element("css selector", ".lead-image a img")
            assert image.get_attribute("src") == images + "/lead.png"
            assert image.get_attribute("alt")
            link = browser.find_element("css selector", ".lead-image a")
            assert link.get_attribute("href").startswith("https://labwire.example.com/")
            assert browser.execute_script("return arguments[0].naturalWidth", image) == 240

            for width in WIDTHS.values():
                set_width(browser, width)
                assert not overflows(browser), f"the brief page scrolls sideways at {width}px"
                for block in ("signup-inline", "stay-ahead", "brief-footer"):
                    shown = browser.find_element("css selector", f"#{block}")
                    assert shown.is_displayed() and shown.size["width"] <= width
            shoot(browser, "14-brief-seed-blocks")

            browser.get(f"{site}/s/{STORY}?lang=ja")
            japanese = text_of(browser)
            for part in (
                "このような要約を、毎朝あなたの受信箱に。",
                "AIニュースで一歩先へ",
                "無料ではじめる",
            ):
                assert part in japanese, part
            assert f"{enabled}ソース · メール · 無料で受け取る →" in japanese
            shoot(browser, "15-brief-seed-blocks-ja")


def test_the_footer_names_the_channels_this_server_has(browser: Any, store: Store) -> None:
    seed_day(store)
    slack = SlackSettings(
        bot_token=SecretStr("xoxb-test-token"), signing_secret=SecretStr("s3cret")
    )
    line = store.settings.line.model_copy(update={"add_friend_url": "https://lin.ee/abc"})
    settings = store.settings.model_copy(update={"slack": slack, "line": line})
    app_store = Store(redis=store.redis, keys=store.keys, settings=settings)
    with serve(create_app(settings, app_store)) as site:
        browser.get(f"{site}/s/{STORY}")
        footer = browser.find_element("css selector", "#brief-footer").text
        assert "Email / LINE / Slack" in footer
        for width in WIDTHS.values():
            set_width(browser, width)
            assert not overflows(browser)


def test_japanese_email_with_local_date_and_image_at_both_widths(
    browser: Any, tmp_path: Path
) -> None:
    # 07:30 on 2 Dec in Tokyo is 22:30 UTC on 1 Dec
    slot = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)
    with serve(image_server()) as images:
        image = BriefImage(url=images + "/lead.png", alt="Nova-2", width=240, height=126)
        edition = make_edition(3, language="ja")
        briefs = [b.model_copy(update={"image": image}) for b in edition.briefs]
        edition = edition.model_copy(
            update={"briefs": briefs, "slot": slot, "created_at": slot, "day": date(2026, 12, 2)}
        )
        payload = render_email(edition, base_url="https://aitoday.example.org")
        html, _text = payload.personalize(
            unsubscribe_url="https://aitoday.example.org/u", preferences_url="https://a.example/p"
        )
        page = tmp_path / "mail.html"
        page.write_text(html, encoding="utf-8")
        browser.get(page.as_uri())
        assert browser.title == payload.subject
        assert payload.subject.startswith("AIToday 2026-12-02 今日のAI要点: ")
        assert payload.subject.endswith("（ほか2件）")
        text = text_of(browser)
        assert "2026-12-02" in text and "2026-12-01" not in text
        cursor = 0
        labels = ("要点", "3つのポイント", "何が起きたか", "なぜ重要か", "今後の注目点")
        for part in (*labels, "よくある質問"):
            at = text.find(part, cursor)
            assert at != -1, part
            cursor = at
        first = browser.find_element("css selector", "img")
        assert browser.execute_script("return arguments[0].naturalWidth", first) == 240
        for width in WIDTHS.values():
            set_width(browser, width)
            assert not overflows(browser), f"the e-mail scrolls sideways at {width}px"
            assert first.size["width"] <= width
        shoot(browser, "16-email-ja-local-date")
