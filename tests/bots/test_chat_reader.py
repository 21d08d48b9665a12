"""Chat replies in the reader's language (every command, every language, within Slack's and
LINE's limits) and dated by their calendar, not by UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from string import Formatter
from zoneinfo import ZoneInfo

import pytest
from linebot.v3.messaging import TextMessage

from bots.line.webhook import brief_flex, quick_reply, render_text
from bots.slack.blocks import reply_blocks
from core import commands
from core.commands import Chat, Reply, answer, suggestion_label
from core.i18n import LABELS, label
from core.models import LANGUAGES
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.subscribers import SubscriberRepo
from core.stories.topics import TOPICS, topic_name
from core.tokens import open_feed_token
from tests.e2e.data import seed_day
from tests.fakes.line_api import _message_problems
from tests.fakes.slack_api import _block_problem

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


# -- every reply in every language ------------------------------------------------------

OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]
ANY_OF = ", ".join(LANGUAGES)  # what a refused "lang" offers
TOPIC_OF = ", ".join(sorted(TOPICS))  # what a refused "follow" offers


def _says(reply: Reply, key: str, lang: str, **values: object) -> None:
    """The reply holds the label in ``lang``, and not its English (where the two differ)."""
    worded, english = label(key, lang, **values), label(key, "en", **values)
    assert worded in reply.text, (key, lang, reply.text)
    if worded != english:
        assert english not in reply.text, (key, lang, reply.text)
    assert reply.language == lang


async def _replies(store: Store, chat: Chat) -> dict[str, Reply]:
    """Every command once, as a reader new to AIToday meets them ("stranger ..."), then
    subscribed; keyed by what was typed."""
    said = {"stranger today": await answer(store, chat, "today")}
    commands._today_cache.clear()
    seed_day(store)
    for text in ("help", "nonsense", "settings", "feed", "time 07:00", "search", "brief 1"):
        said[f"stranger {text}"] = await answer(store, chat, text)
    said["subscribe"] = await answer(store, chat, "subscribe")
    said["subscribe again"] = await answer(store, chat, "subscribe")
    for text in (
        "today",
        "search accelerators",
        "search quantum teleportation",
        "brief 9",
        "time",
        "time 6:15",
        "time 25:99",
        "tz Mars/Olympus",
        "lang klingon",
        "follow knitting",
        "follow chips",
        "topics",
        "settings",
        "feed",
        "unsubscribe",
    ):
        said[text] = await answer(store, chat, text)
    return said


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
async def test_every_command_answers_in_the_chats_language(store: Store, lang: str) -> None:
    chat = Chat("line", "U" + "d" * 32, language=lang)
    said = await _replies(store, chat)
    chips = topic_name("chips", lang)

    _says(said["stranger today"], "reply_no_stories", lang)
    _says(said["stranger help"], "reply_try", lang)
    for key in ("today", "search", "brief", "subscribe", "topics"):
        _says(said["stranger help"], f"reply_help_{key}", lang)
    _says(said["stranger nonsense"], "reply_unknown", lang, name="nonsense")
    _says(said["stranger settings"], "reply_not_subscribed", lang)
    _says(said["stranger feed"], "reply_not_subscribed", lang)
    _says(said["stranger time 07:00"], "reply_subscribe_first", lang)
    _says(said["stranger search"], "reply_search_what", lang)
    _says(said["stranger brief 1"], "reply_which_story", lang)
    _says(said["subscribe"], "reply_subscribed", lang)
    _says(said["subscribe again"], "reply_still_subscribed", lang)
    _says(said["subscribe again"], "reply_digest_when", lang, time="07:30", zone="UTC")
    _says(said["today"], "n_sources", lang, n=2)
    _says(said["search accelerators"], "reply_search_found", lang, words="accelerators")
    words = "quantum teleportation"
    _says(said[f"search {words}"], "reply_search_none", lang, words=words)
    _says(said["brief 9"], "reply_which_story", lang)
    _says(said["time"], "reply_usage", lang, example="time 07:30")
    _says(said["time 6:15"], "reply_saved", lang)
    frequency = label("freq_daily", lang).lower()
    when = {"time": "06:15", "zone": "UTC", "frequency": frequency}
    _says(said["time 6:15"], "reply_settings_time", lang, **when)
    _says(said["time 25:99"], "setting_bad_time", lang, value="25:99")
    _says(said["tz Mars/Olympus"], "setting_bad_timezone", lang, value="Mars/Olympus")
    _says(said["lang klingon"], "setting_bad_language", lang, value="klingon", choices=ANY_OF)
    _says(said["follow knitting"], "setting_bad_topic", lang, value="knitting", choices=TOPIC_OF)
    _says(said["topics"], "reply_topics_head", lang)
    _says(said["topics"], "reply_topics_tail", lang)
    assert f"★ {chips} (chips)" in said["topics"].text
    _says(said["settings"], "reply_settings_following", lang, topics=chips)
    _says(said["settings"], "reply_settings_muted", lang, muted=label("settings_nothing", lang))
    _says(said["feed"], "chat_feed_reply", lang)
    _says(said["unsubscribe"], "reply_unsubscribed", lang)
    assert all(reply.text for reply in said.values())


async def test_a_subscribers_language_wins_over_the_chats_hint(store: Store) -> None:
    _reader(store, language="ko")
    hinted = Chat(LINE.channel, LINE.address, language="de")
    _says(await answer(store, hinted, "brief 9"), "reply_which_story", "ko")
    _says(await answer(store, hinted, "nonsense"), "reply_unknown", "ko", name="nonsense")
    _says(
        await answer(store, hinted, "tz Mars/Olympus"),
        "setting_bad_timezone",
        "ko",
        value="Mars/Olympus",
    )


async def test_english_replies_keep_their_words(store: Store) -> None:
    chat = Chat("slack", "T0001/C0CHAN")
    said = await _replies(store, chat)
    assert said["stranger help"].text.startswith("Try:\n• today · top AI stories now\n")
    assert said["stranger nonsense"].text.startswith("I don't know “nonsense”. Try:\n")
    assert said["time"].text == "Usage: time 07:30"
    assert said["stranger time 07:00"].text == "Send “subscribe” first."
    assert said["time 25:99"].text == "'25:99' is not a time of day; use HH:MM"
    assert said["tz Mars/Olympus"].text == (
        "unknown time zone 'Mars/Olympus'; use an IANA name such as Asia/Tokyo"
    )
    assert said["time 6:15"].text.startswith("Saved. Time: 06:15 (UTC), daily\n")
    assert "Following: Chips & compute" in said["settings"].text
    assert "★ Chips & compute (chips)" in said["topics"].text
    assert said["subscribe again"].text.startswith("You're subscribed. The digest arrives")


def test_reply_labels_keep_their_commands_and_fields_in_every_language() -> None:
    """A translation names the same commands (people type them) and fills the same fields."""
    keys = [key for key in LABELS if key.startswith(("reply_", "setting_"))]
    assert len(keys) > 30
    for key in keys:
        english = LABELS[key]["en"]
        commands_in = re.findall(r"“([a-z]+(?: [\w/:<>|]+)?)”", english)
        commands_in = [c.split(" <")[0] for c in commands_in]  # placeholders are translated
        for lang in LANGUAGES:
            text = LABELS[key][lang]
            assert _fields(text) == _fields(english), (key, lang)
            assert all(command in text for command in commands_in), (key, lang)
            if key.startswith("reply_help_"):
                assert text.split(" · ")[0].split(" <")[0] == english.split(" · ")[0].split(" <")[0]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_localized_replies_fit_slack_and_line(store: Store, lang: str) -> None:
    said = await _replies(store, Chat("line", "U" + "e" * 32, language=lang))
    for name, reply in said.items():
        message = TextMessage(
            text=render_text(reply, BASE), quick_reply=quick_reply(reply.suggestions, lang)
        ).to_dict()
        assert list(_message_problems(message)) == [], (lang, name)
        blocks = reply_blocks(reply, BASE)
        assert 0 < len(blocks) <= 50, (lang, name)
        assert [_block_problem(block, set()) for block in blocks] == [None] * len(blocks)
