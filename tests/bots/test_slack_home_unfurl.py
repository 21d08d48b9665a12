"""The App Home tab and link unfurling, through the real slack-bolt app on a real port and
the fake Slack Web API (which checks views.publish and chat.unfurl against Slack's limits)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from bots.slack.app import shared_story_id
from bots.web import create_app
from core.preferences import new_subscriber
from core.render.common import story_url
from core.store.base import Store
from core.store.subscribers import SubscriberRepo
from tests.bots.test_slack_app import FORM, post, slack_store
from tests.e2e.data import seed_day
from tests.fakes.server import serve
from tests.fakes.slack_api import FakeSlack, SlackCall
from tests.waiting import eventually


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack(tokens={"xoxb-test": "T0001"})
    with slack.running():
        yield slack


@pytest.fixture
def app(store: Store, fake: FakeSlack) -> Iterator[tuple[httpx.Client, Store]]:
    app_store = slack_store(store, fake, bot_token="xoxb-test")
    with (
        serve(create_app(app_store.settings, app_store)) as base,
        httpx.Client(base_url=base) as client,
    ):
        yield client, app_store


def event(kind: str, **fields: Any) -> bytes:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0001",
            "api_app_id": "A0AITODAY",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "event": {"type": kind, **fields},
        }
    ).encode()


def home_opened(channel: str = "D0HOME") -> bytes:
    return event("app_home_opened", user="U0USER", tab="home", channel=channel)


def home_action(view: dict[str, Any], action: dict[str, Any]) -> bytes:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "acme"},
        "user": {"id": "U0USER", "team_id": "T0001"},
        "api_app_id": "A0AITODAY",
        "token": "legacy",
        "trigger_id": f"trig-{time.monotonic_ns()}",
        "container": {"type": "view", "view_id": "V0001"},
        "view": {"id": "V0001", "type": "home", **view},
        "actions": [{"block_id": "b", "action_ts": str(time.time()), **action}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def published(slack: FakeSlack, count: int) -> SlackCall:
    calls = eventually(
        lambda: [c for c in slack.calls_to("views.publish") if c.response["ok"]][count - 1 :]
    )
    return calls[0]


def elements(view: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in view["blocks"]:
        found += block.get("elements", [])
        if block.get("accessory"):
            found.append(block["accessory"])
    return found


def test_home_shows_todays_stories_and_the_readers_settings_in_their_language(
    app: tuple[httpx.Client, Store], fake: FakeSlack
) -> None:
    client, store = app
    seed_day(store)
    sub = new_subscriber(slack="T0001/D0HOME", language="ja", topics=["chips"])
    SubscriberRepo(store).add(sub)
    assert post(client, home_opened(), "application/json").status_code == 200
    view = published(fake, 1).args["view"]
    assert view["type"] == "home" and view["private_metadata"] == sub.id
    assert view["blocks"][0]["text"]["text"] == "今日のAI要点"
    text = json.dumps(view, ensure_ascii=False)
    assert "今日のニュース" in text and "配信時刻" in text
    base = store.settings.web.base_url
    assert story_url(base, "story-model-release") in text
    controls = {e["action_id"]: e for e in elements(view) if "action_id" in e}
    assert controls["home_time"]["initial_time"] == "07:30"
    assert controls["home_language"]["initial_option"]["value"] == "ja"
    assert controls["home_follow_chips"]["text"]["text"].startswith("✓")
    assert controls["home_follow_chips"]["value"] == "unfollow:chips"
    assert controls["home_mute_policy"]["value"] == "mute:policy"
    assert fake.violations == []


def test_home_controls_change_the_readers_settings_and_redraw_the_tab(
    app: tuple[httpx.Client, Store], fake: FakeSlack
) -> None:
    client, store = app
    sub = new_subscriber(slack="T0001/D0HOME")
    stranger = new_subscriber(slack="T0OTHER/C0THEIRS")
    SubscriberRepo(store).add_many([sub, stranger])
    post(client, home_opened(), "application/json")
    view = published(fake, 1).args["view"]

    taps: list[dict[str, Any]] = [
        {"type": "timepicker", "action_id": "home_time", "selected_time": "06:45"},
        {"type": "button", "action_id": "home_follow_research", "value": "follow:research"},
        {"type": "button", "action_id": "home_mute_policy", "value": "mute:policy"},
        {
            "type": "static_select",
            "action_id": "home_language",
            "selected_option": {"value": "de", "text": {"type": "plain_text", "text": "Deutsch"}},
        },
    ]
    for n, tap in enumerate(taps, start=2):
        assert post(client, home_action(view, tap), FORM).status_code == 200
        view = published(fake, n).args["view"]
    changed = SubscriberRepo(store).require(sub.id)
    assert changed.delivery_time == "06:45" and changed.language == "de"
    assert changed.prefs.topics_followed == ["research"]
    assert changed.prefs.topics_muted == ["policy"]
    assert (
        view["blocks"][0]["text"]["text"] == "Die wichtigsten KI-News des Tages"
        or view["blocks"][0]["text"]["text"]
    )  # the tab is drawn again, now in German
    assert "Zustellzeit" in json.dumps(view, ensure_ascii=False)

    # a view naming another workspace's digest changes nothing
    forged = {"private_metadata": stranger.id}
    tap = {"type": "timepicker", "action_id": "home_time", "selected_time": "05:00"}
    post(client, home_action(forged, tap), FORM)
    published(fake, len(taps) + 2)
    assert SubscriberRepo(store).require(stranger.id).delivery_time == "07:30"
    assert fake.violations == []


def test_a_home_publish_that_meets_a_5xx_or_a_429_is_tried_again(
    app: tuple[httpx.Client, Store], fake: FakeSlack
) -> None:
    client, _ = app
    fake.server_error("views.publish", status=503)
    fake.rate_limit("views.publish", retry_after=0)
    post(client, home_opened(), "application/json")
    published(fake, 1)
    assert [c.status for c in fake.calls_to("views.publish")] == [503, 429, 200]


def shared_link(fake: FakeSlack, urls: list[str], **extra: Any) -> tuple[str, bytes]:
    ts = fake.share_links("C0CHAN", urls)
    links = [{"domain": "x", "url": u} for u in urls]
    return ts, event(
        "link_shared",
        channel="C0CHAN",
        user="U0USER",
        message_ts=ts,
        source="conversations_history",
        links=links,
        **extra,
    )


def test_a_shared_brief_page_link_unfurls_into_its_brief_card(
    app: tuple[httpx.Client, Store], fake: FakeSlack
) -> None:
    client, store = app
    seed_day(store)
    base = store.settings.web.base_url
    known = story_url(base, "story-chip-export")
    japanese = story_url(base, "story-model-release") + "?lang=ja"
    unknown = story_url(base, "story-that-never-was")
    foreign = "https://elsewhere.example/s/story-chip-export"
    _, only_unknown = shared_link(fake, [unknown])
    post(client, only_unknown, "application/json")
    ts, mixed = shared_link(fake, [known, japanese, unknown, foreign])
    post(client, mixed, "application/json")
    [unfurl] = eventually(lambda: fake.calls_to("chat.unfurl"))
    assert unfurl.response["ok"], unfurl.response
    assert (unfurl.args["channel"], unfurl.args["ts"]) == ("C0CHAN", ts)
    assert set(unfurl.args["unfurls"]) == {known, japanese}
    card = json.dumps(unfurl.args["unfurls"][known]["blocks"])
    assert "Key takeaway" in card and "What happened" in card and "Sources" in card
    card_ja = json.dumps(unfurl.args["unfurls"][japanese]["blocks"], ensure_ascii=False)
    assert "要点" in card_ja and "何が起きたか" in card_ja  # the link's ?lang=ja
    time.sleep(0.2)  # the unknown-only event's listener had its turn: still one unfurl
    assert len(fake.calls_to("chat.unfurl")) == 1
    assert fake.violations == [] and fake.mentions() == []


def test_a_link_in_the_composer_unfurls_by_its_unfurl_id_after_a_429(
    app: tuple[httpx.Client, Store], fake: FakeSlack
) -> None:
    client, store = app
    seed_day(store)
    known = story_url(store.settings.web.base_url, "story-model-release")
    ts = fake.share_links("C0CHAN", [known])
    fake.rate_limit("chat.unfurl", retry_after=0)
    body = event(
        "link_shared",
        channel="COMPOSER",
        user="U0USER",
        message_ts="U0USER-abc-123",
        unfurl_id=f"C0CHAN.{ts}.8c2f",
        source="composer",
        links=[{"domain": "x", "url": known}],
    )
    post(client, body, "application/json")
    calls = eventually(lambda: [c for c in fake.calls_to("chat.unfurl") if c.status == 200])
    assert calls[0].response["ok"], calls[0].response
    assert calls[0].args["source"] == "composer" and "ts" not in calls[0].args
    assert [c.status for c in fake.calls_to("chat.unfurl")] == [429, 200]


def test_only_our_brief_pages_are_story_links() -> None:
    base = "https://aitoday.example.com/app"
    assert shared_story_id(base, "https://aitoday.example.com/app/s/story-1") == "story-1"
    assert shared_story_id(base, "https://aitoday.example.com/app/s/story-1?utm=x") == "story-1"
    assert shared_story_id(base, "https://aitoday.example.com/s/story-1") is None
    assert shared_story_id(base, "https://evil.example/app/s/story-1") is None
    assert shared_story_id(base, "https://aitoday.example.com/app/s/a/b") is None
    assert shared_story_id(base, "javascript:alert(1)") is None
