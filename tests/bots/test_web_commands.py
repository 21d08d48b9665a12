"""The one text-command layer (core.commands) every chat uses, against a real Redis with
stories, articles and sources stored through the real repositories."""

from __future__ import annotations

import pytest

from core import commands
from core.commands import Chat, answer
from core.i18n import label
from core.metrics import snapshot
from core.models import ChannelStatus
from core.store.base import Store
from core.store.subscribers import SubscriberRepo, address_digest
from core.stories.topics import topic_name
from tests.channels import channel_of
from tests.e2e.data import seed_day

LINE = Chat("line", "U" + "a" * 32)
SLACK = Chat("slack", "T0001/C0CHAN")


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    commands._today_cache.clear()


async def test_today_lists_stories_and_brief_n_opens_one(store: Store) -> None:
    seed_day(store)
    today = await answer(store, SLACK, "today")
    assert today.ok and [s.id for s in today.stories][:2] == [
        "story-model-release",
        "story-chip-export",
    ]
    assert "1. Acme AI releases Nova-2" in today.text and "(2 sources)" in today.text
    brief = await answer(store, SLACK, "brief 2")
    assert brief.ok and brief.briefs[0].story_id == "story-chip-export"
    # Each chat has its own "last list": another chat's numbers do not leak in.
    other = await answer(store, LINE, "brief 2")
    assert not other.ok and "today" in other.text
    missing = await answer(store, SLACK, "brief 9")
    assert not missing.ok


async def test_search_looks_back_30_days(store: Store) -> None:
    seed_day(store)
    found = await answer(store, LINE, "search accelerators")
    assert [s.id for s in found.stories] == ["story-chip-export"]
    assert (await answer(store, LINE, "brief 1")).briefs[0].story_id == "story-chip-export"
    nothing = await answer(store, LINE, "search quantum teleportation")
    assert nothing.stories == [] and "Nothing about" in nothing.text
    assert not (await answer(store, LINE, "search")).ok


async def test_subscribe_settings_and_unsubscribe(store: Store) -> None:
    before = await answer(store, LINE, "time 07:00")
    assert not before.ok and "subscribe" in before.text
    subscribed = await answer(store, LINE, "subscribe")
    assert "Subscribed!" in subscribed.text
    assert "already" not in (await answer(store, LINE, "subscribe")).text
    for text in ("time 6:15", "tz asia/tokyo", "lang 日本語", "follow chips", "mute crypto"):
        reply = await answer(store, LINE, text)
        assert reply.ok, (text, reply.text)
    sub = SubscriberRepo(store).by_address("line", LINE.address)
    assert sub is not None
    assert (sub.delivery_time, sub.timezone, sub.language) == ("06:15", "Asia/Tokyo", "ja")
    assert sub.prefs.topics_followed == ["chips"]
    assert "crypto" in sub.prefs.exclude_keywords
    # From "lang 日本語" on, replies are Japanese; topics are named, their slug still shown.
    chips = topic_name("chips", "ja")
    settings = await answer(store, LINE, "settings")
    assert "06:15 (Asia/Tokyo)" in settings.text and chips in settings.text
    topics = await answer(store, LINE, "topics")
    assert f"★ {chips} (chips)" in topics.text

    bad = await answer(store, LINE, "tz Mars/Olympus")
    assert not bad.ok and bad.text == label("setting_bad_timezone", "ja", value="Mars/Olympus")
    bad_time = await answer(store, LINE, "time 25:99")
    assert not bad_time.ok and bad_time.text == label("setting_bad_time", "ja", value="25:99")

    await answer(store, LINE, "unsubscribe")
    stopped = SubscriberRepo(store).get(sub.id)
    assert channel_of(stopped, "line").status is ChannelStatus.UNSUBSCRIBED
    await answer(store, LINE, "subscribe")
    again = SubscriberRepo(store).get(sub.id)
    assert channel_of(again, "line").status is ChannelStatus.ACTIVE


async def test_mute_a_known_source_mutes_the_source(store: Store) -> None:
    seed_day(store)
    await answer(store, SLACK, "subscribe")
    assert (await answer(store, SLACK, "mute chipdaily")).ok
    sub = SubscriberRepo(store).by_address("slack", SLACK.address)
    assert sub is not None and sub.prefs.sources_muted == ["chipdaily"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "/aitoday",
        "brief",
        "brief abc",
        "brief " + "9" * 400,
        "\x00\u202e",
        "x" * 10_000,
    ],
)
async def test_anything_typed_gets_an_answer_never_a_trace(store: Store, text: str) -> None:
    reply = await answer(store, LINE, text)
    assert reply.text and "Traceback" not in reply.text
    assert len(reply.text) < 2000


async def test_help_and_counters(store: Store) -> None:
    reply = await answer(store, SLACK, "help")
    assert reply.ok and "search <words>" in reply.text and reply.suggestions
    await answer(store, SLACK, "nonsense")
    counts = snapshot(store)["aitoday_commands_total"]
    assert counts['command="help",surface="slack"'] == 1.0
    assert counts['command="unknown",surface="slack"'] == 1.0


async def test_a_chats_last_list_is_kept_under_its_subscriber_address_hash(store: Store) -> None:
    seed_day(store)
    await answer(store, SLACK, "today")
    key = store.keys.chat_last_list("slack", address_digest("slack", SLACK.address))
    assert store.redis.exists(key)
