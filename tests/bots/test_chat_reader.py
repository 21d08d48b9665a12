"""Chat replies in the reader's language and dated by their calendar, not by UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bots.line.webhook import brief_flex, quick_reply
from core import commands
from core.commands import Chat, answer, suggestion_label
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.subscribers import SubscriberRepo
from core.tokens import open_feed_token
from tests.e2e.data import seed_day

BASE = "https://aitoday.example.org"
LINE = Chat("line", "U" + "b" * 32)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    commands._today_cache.clear()


def _zone_on_another_date() -> str:
    """A zone whose date differs from UTC's right now (UTC+14 after 10:00, UTC-12 before)."""
    return "Pacific/Kiritimati" if datetime.now(UTC).hour >= 10 else "Etc/GMT+12"


def _reader(store: Store, language: str = "ja") -> str:
    zone = _zone_on_another_date()
    sub = new_subscriber(line=LINE.address, language=language, timezone=zone)
    SubscriberRepo(store).add(sub)
    local = datetime.now(ZoneInfo(zone)).date().isoformat()
    assert local != datetime.now(UTC).date().isoformat()
    return local


async def test_today_and_a_brief_show_the_readers_date(store: Store) -> None:
    seed_day(store)
    local = _reader(store)

    today = await answer(store, LINE, "today")
    brief = await answer(store, LINE, "brief 1")
    [flex] = brief_flex(brief, BASE)

    assert today.text.splitlines()[0] == f"今日のAI要点 · {local}"
    assert today.language == "ja" and brief.day is not None
    assert brief.day.isoformat() == local
    assert f"今日のAI要点 · {local}" in flex["altText"]


async def test_every_reply_is_in_the_readers_language(store: Store) -> None:
    _reader(store, language="ko")
    settings = await answer(store, LINE, "settings")
    changed = await answer(store, LINE, "lang ja")

    assert settings.language == "ko"
    assert changed.language == "ja"  # the language just chosen


async def test_line_quick_replies_are_labelled_in_the_readers_language(store: Store) -> None:
    seed_day(store)
    _reader(store)
    today = await answer(store, LINE, "today")

    replies = quick_reply(today.suggestions, today.language)

    assert replies is not None
    actions = [item.action for item in replies.items]
    assert [a.label for a in actions] == ["ブリーフ 1", "ブリーフ 2"]
    assert [a.data for a in actions] == ["cmd=brief 1", "cmd=brief 2"]
    assert suggestion_label("follow chips", "zh-Hant") == "追蹤 chips"
    assert suggestion_label("unknownword", "ja") == "unknownword"


async def test_feed_gives_a_chat_reader_their_own_feed_addresses(store: Store) -> None:
    stranger = await answer(store, Chat("line", "U" + "c" * 32), "feed")
    assert stranger.command == "feed" and "subscribe" in stranger.text
    _reader(store, language="ja")
    reply = await answer(store, LINE, "feed")
    sub = SubscriberRepo(store).by_address("line", LINE.address)
    assert sub is not None and reply.language == "ja"
    assert "フィード" in reply.text
    atom = next(w for w in reply.text.split() if w.endswith(".xml"))
    token = atom.rsplit("/", 1)[1].removesuffix(".xml")
    assert open_feed_token(store.settings.signing_key(), token) == (sub.id, 0)
    assert sub.id not in reply.text
