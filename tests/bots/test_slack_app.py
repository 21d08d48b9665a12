"""The Slack app through the real slack-bolt app on a real port, talking to the fake Slack
Web API; every request signed exactly as Slack signs it (v0:timestamp:body, HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr

from bots.slack.install_store import RedisInstallationStore, RedisOAuthStateStore, bot_token_for
from bots.web import create_app
from core.config import SlackSettings
from core.metrics import snapshot
from core.models import ChannelStatus
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.feedback import FeedbackRepo
from core.store.subscribers import SubscriberRepo
from tests.channels import channel_of
from tests.e2e.data import seed_day
from tests.fakes.server import serve
from tests.fakes.slack_api import FakeSlack
from tests.waiting import eventually

SECRET = "slack-signing-secret-for-tests"


def sign(body: bytes, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + mac.hexdigest()}


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    slack = FakeSlack(tokens={"xoxb-test": "T0001"})
    with slack.running():
        yield slack


def slack_store(store: Store, fake: FakeSlack, **slack: Any) -> Store:
    settings = store.settings.model_copy(
        update={
            "slack": SlackSettings(
                signing_secret=SecretStr(SECRET), api_base=fake.base_url, **slack
            ),
        }
    )
    return Store(redis=store.redis, keys=store.keys, settings=settings)


@pytest.fixture
def single(store: Store, fake_slack: FakeSlack) -> Iterator[tuple[httpx.Client, Store]]:
    app_store = slack_store(store, fake_slack, bot_token="xoxb-test")
    app = create_app(app_store.settings, app_store)
    with serve(app) as base, httpx.Client(base_url=base) as client:
        yield client, app_store


def command(fake: FakeSlack, text: str, channel: str = "C0CHAN", hook: str = "hook") -> bytes:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T0001",
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": "U0USER",
            "user_name": "ada",
            "command": "/aitoday",
            "text": text,
            "response_url": fake.response_url(hook),
            "trigger_id": f"trig-{time.monotonic_ns()}",
            "api_app_id": "A0AITODAY",
        }
    ).encode()


def post(client: httpx.Client, body: bytes, content_type: str, **sig: Any) -> httpx.Response:
    headers = {"Content-Type": content_type, **sign(body, **sig)}
    return client.post("/slack/events", content=body, headers=headers)


FORM = "application/x-www-form-urlencoded"


def test_help_is_answered_in_the_ack(
    single: tuple[httpx.Client, Store], fake_slack: FakeSlack
) -> None:
    client, _ = single
    answer = post(client, command(fake_slack, "help"), FORM)
    assert answer.status_code == 200
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert "search &lt;words&gt;" in body["text"] and body["blocks"]  # escaped, as Slack asks


def test_subscribe_makes_the_channel_a_subscriber(
    single: tuple[httpx.Client, Store], fake_slack: FakeSlack
) -> None:
    client, store = single
    assert post(client, command(fake_slack, "subscribe"), FORM).status_code == 200
    [reply] = eventually(lambda: fake_slack.responses("hook"))
    assert reply.args["response_type"] == "in_channel"
    assert "Subscribed" in reply.args["text"]
    sub = SubscriberRepo(store).by_address("slack", "T0001/C0CHAN")
    assert sub is not None
    assert channel_of(sub, "slack").status is ChannelStatus.ACTIVE

    post(client, command(fake_slack, "time 06:15", hook="h2"), FORM)
    eventually(lambda: fake_slack.responses("h2"))
    assert SubscriberRepo(store).require(sub.id).delivery_time == "06:15"

    post(client, command(fake_slack, "tz Mars/Base", hook="h3"), FORM)
    [refused] = eventually(lambda: fake_slack.responses("h3"))
    assert refused.args["response_type"] == "ephemeral"
    assert "unknown time zone" in refused.args["text"]

    post(client, command(fake_slack, "unsubscribe", hook="h4"), FORM)
    eventually(lambda: fake_slack.responses("h4"))
    stopped = SubscriberRepo(store).get(sub.id)
    assert channel_of(stopped, "slack").status is ChannelStatus.UNSUBSCRIBED
    assert fake_slack.violations == []


def test_typed_text_is_escaped_and_settings_are_answered_to_the_sender_only(
    single: tuple[httpx.Client, Store], fake_slack: FakeSlack
) -> None:
    client, _ = single
    post(client, command(fake_slack, "subscribe"), FORM)
    eventually(lambda: fake_slack.responses("hook"))
    hostile = "mute <!channel> <http://evil.example|disguised> & <@U0BOSS>"
    post(client, command(fake_slack, hostile, hook="mute"), FORM)
    [reply] = eventually(lambda: fake_slack.responses("mute"))
    assert reply.args["response_type"] == "ephemeral"
    fields = [reply.args["text"], json.dumps(reply.args.get("blocks") or [])]
    for text in fields:
        for raw in ("<!channel>", "<http://evil", "<@U0BOSS>"):
            assert raw not in text, text
    assert "&lt;!channel&gt;" in reply.args["text"]
    assert fake_slack.violations == []


def test_unknown_words_get_a_short_usage(
    single: tuple[httpx.Client, Store], fake_slack: FakeSlack
) -> None:
    client, _ = single
    post(client, command(fake_slack, "make me a sandwich"), FORM)
    [reply] = eventually(lambda: fake_slack.responses("hook"))
    assert "I don't know" in reply.args["text"] and "Traceback" not in reply.args["text"]


def test_bad_signature_stale_timestamp_and_replay_are_refused(
    single: tuple[httpx.Client, Store], fake_slack: FakeSlack
) -> None:
    client, store = single
    body = command(fake_slack, "subscribe")
    forged = post(client, body, FORM, secret="not-the-secret")
    assert forged.status_code == 401
    stale = post(client, body, FORM, timestamp=int(time.time()) - 600)
    assert stale.status_code == 401
    assert SubscriberRepo(store).by_address("slack", "T0001/C0CHAN") is None

    headers = {"Content-Type": FORM, **sign(body)}
    first = client.post("/slack/events", content=body, headers=headers)
    again = client.post("/slack/events", content=body, headers=headers)
    assert first.status_code == again.status_code == 200
    eventually(lambda: fake_slack.responses("hook"))
    time.sleep(0.2)
    assert len(fake_slack.responses("hook")) == 1  # the replay did nothing
    assert post(client, b"x" * 1_000_001, FORM).status_code == 413
    rejected = snapshot(store)["aitoday_webhooks_rejected_total"]
    assert rejected == {
        'reason="signature",surface="slack"': 1.0,
        'reason="stale",surface="slack"': 1.0,
        'reason="replay",surface="slack"': 1.0,
    }


def test_event_retries_are_handled_once(
    single: tuple[httpx.Client, Store], fake_slack: FakeSlack
) -> None:
    client, store = single
    SubscriberRepo(store).add(new_subscriber(slack="T0001/C0CHAN"))
    event = {
        "type": "event_callback",
        "team_id": "T0001",
        "api_app_id": "A0AITODAY",
        "event_id": "Ev0001",
        "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": "U0USER", "tab": "home", "channel": "D1"},
    }
    body = json.dumps(event).encode()
    assert post(client, body, "application/json").status_code == 200
    views = eventually(lambda: fake_slack.calls_to("views.publish"))
    retry = json.dumps(event).encode() + b" "  # Slack re-signs retries: a new signature
    assert post(client, retry, "application/json").status_code == 200
    time.sleep(0.2)
    assert len(fake_slack.calls_to("views.publish")) == len(views) == 1
    assert views[0].args["view"]["type"] == "home"
    assert fake_slack.violations == []


def action(fake: FakeSlack, action_id: str, value: str, hook: str) -> bytes:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "acme"},
        "user": {"id": "U0USER", "team_id": "T0001"},
        "channel": {"id": "C0CHAN", "name": "general"},
        "api_app_id": "A0AITODAY",
        "token": "legacy",
        "trigger_id": f"trig-{time.monotonic_ns()}",
        "response_url": fake.response_url(hook),
        "container": {"type": "message", "channel_id": "C0CHAN", "is_ephemeral": True},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_today_then_digest_buttons_record_feedback_with_undo(
    single: tuple[httpx.Client, Store], fake_slack: FakeSlack
) -> None:
    client, store = single
    seed_day(store)
    post(client, command(fake_slack, "today", hook="today"), FORM)
    [today] = eventually(lambda: fake_slack.responses("today"))
    assert today.response["ok"], today.response
    buttons = [
        b["accessory"]
        for b in today.args["blocks"]
        if b.get("accessory", {}).get("type") == "button"
    ]
    assert [b["value"] for b in buttons][:2] == ["story-model-release", "story-chip-export"]
    assert {b["action_id"] for b in buttons} == {"brief_open"}

    post(client, action(fake_slack, "brief_open", "story-chip-export", "open"), FORM)
    [brief] = eventually(lambda: fake_slack.responses("open"))
    assert brief.response["ok"], brief.response
    assert brief.args["blocks"][0]["type"] == "header"
    actions = next(b for b in brief.args["blocks"] if b["type"] == "actions")["elements"]
    assert {e["action_id"] for e in actions} >= {"more_like_this", "less_like_this"}

    post(client, action(fake_slack, "more_like_this", "story-chip-export", "m0"), FORM)
    [nosub] = eventually(lambda: fake_slack.responses("m0"))
    assert "subscribe" in nosub.args["text"]

    post(client, command(fake_slack, "subscribe", hook="sub"), FORM)
    eventually(lambda: fake_slack.responses("sub"))
    post(client, action(fake_slack, "more_like_this", "story-chip-export", "m1"), FORM)
    [more] = eventually(lambda: fake_slack.responses("m1"))
    assert "More stories like this" in more.args["text"]
    post(client, action(fake_slack, "less_like_this", "story-agent-benchmark", "l1"), FORM)
    [less] = eventually(lambda: fake_slack.responses("l1"))
    assert "Fewer stories like this" in less.args["text"]
    sub = SubscriberRepo(store).by_address("slack", "T0001/C0CHAN")
    assert sub is not None
    # a tap is a feedback event, not a follow or a mute of a whole topic
    assert sub.prefs.topics_followed == [] and sub.prefs.topics_muted == []
    taps = FeedbackRepo(store).events(sub.id)
    assert [(e.story_id, e.direction, e.channel) for e in taps] == [
        ("story-chip-export", "more", "slack"),
        ("story-agent-benchmark", "less", "slack"),
    ]
    assert taps[0].topics[0] == "chips"
    undo = next(b for b in less.args["blocks"] if b["type"] == "actions")["elements"][0]
    assert undo["action_id"] == "feedback_undo" and undo["value"] == taps[1].id
    post(client, action(fake_slack, "feedback_undo", taps[1].id, "u1"), FORM)
    [undone] = eventually(lambda: fake_slack.responses("u1"))
    assert "Undone" in undone.args["text"]
    assert [e.story_id for e in FeedbackRepo(store).events(sub.id)] == ["story-chip-export"]
    assert fake_slack.violations == [] and fake_slack.mentions() == []


def test_not_configured_answers_503(store: Store) -> None:
    with serve(create_app(store.settings, store)) as base, httpx.Client(base_url=base) as client:
        assert client.post("/slack/events", content=b"x").status_code == 503
        assert client.get("/slack/install").status_code == 404


# -- many workspaces: OAuth install, uninstall -------------------------------------------


@pytest.fixture
def multi(store: Store, fake_slack: FakeSlack) -> Iterator[tuple[httpx.Client, Store]]:
    app_store = slack_store(
        store, fake_slack, client_id=fake_slack.client_id, client_secret=fake_slack.client_secret
    )
    app = create_app(app_store.settings, app_store)
    with serve(app) as base, httpx.Client(base_url=base) as client:
        yield client, app_store


# slack_sdk 3.48 still builds aiohttp.BasicAuth for oauth.v2.access (deprecated upstream).
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
def test_oauth_install_then_uninstall_stops_deliveries(
    multi: tuple[httpx.Client, Store], fake_slack: FakeSlack
) -> None:
    client, store = multi
    page = client.get("/slack/install")
    assert page.status_code == 200
    state = re.search(r"state=([\w-]+)", page.text)
    assert state is not None
    # Bolt's state cookie is Secure (Slack requires https); a browser sends it back.
    cookie = {"Cookie": page.headers["set-cookie"].split(";", 1)[0]}
    client.cookies.clear()
    fake_slack.add_oauth_code("code-1", "T0002")
    done = client.get(f"/slack/oauth_redirect?code=code-1&state={state.group(1)}", headers=cookie)
    assert done.status_code == 200, done.text
    token = asyncio_run(bot_token_for(store, "T0002"))
    assert token is not None and token.startswith("xoxb-T0002")

    # The same state cannot be used twice.
    fake_slack.add_oauth_code("code-2", "T0002")
    again = client.get(f"/slack/oauth_redirect?code=code-2&state={state.group(1)}", headers=cookie)
    assert again.status_code in (400, 401)
    assert fake_slack.oauth_codes == {"code-2": "T0002"}  # never exchanged

    repo = SubscriberRepo(store)
    sub = repo.add(new_subscriber(slack="T0002/C0NEWS"))
    other = repo.add(new_subscriber(slack="T0001/C0NEWS"))
    event = {
        "type": "event_callback",
        "team_id": "T0002",
        "api_app_id": "A0AITODAY",
        "event_id": "Ev0002",
        "event_time": int(time.time()),
        "event": {"type": "app_uninstalled"},
    }
    assert post(client, json.dumps(event).encode(), "application/json").status_code == 200

    def revoked() -> bool:
        now = repo.get(sub.id)
        return channel_of(now, "slack").status is ChannelStatus.REVOKED

    assert eventually(revoked)
    assert asyncio_run(bot_token_for(store, "T0002")) is None
    untouched = repo.get(other.id)
    assert channel_of(untouched, "slack").status is ChannelStatus.ACTIVE


def test_bot_token_revocation_stops_deliveries(
    single: tuple[httpx.Client, Store], fake_slack: FakeSlack
) -> None:
    client, store = single
    repo = SubscriberRepo(store)
    sub = repo.add(new_subscriber(slack="T0001/C0NEWS"))
    event = {
        "type": "event_callback",
        "team_id": "T0001",
        "api_app_id": "A0AITODAY",
        "event_id": "Ev0003",
        "event_time": int(time.time()),
        "event": {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}},
    }
    assert post(client, json.dumps(event).encode(), "application/json").status_code == 200
    stopped = repo.get(sub.id)
    assert channel_of(stopped, "slack").status is ChannelStatus.REVOKED
    assert channel_of(stopped, "slack").status_reason == "tokens_revoked"


async def test_installation_store_round_trip(store: Store) -> None:
    from slack_sdk.oauth.installation_store.models.installation import Installation

    installs = RedisInstallationStore(store)
    first = Installation(
        app_id="A1",
        team_id="T9",
        user_id="U1",
        bot_token="xoxb-1",
        bot_id="B1",
        bot_user_id="UB",
        bot_scopes="chat:write,commands",
    )
    await installs.async_save(first)
    newer = Installation(app_id="A1", team_id="T9", user_id="U2", bot_token="xoxb-2", bot_id="B1")
    await installs.async_save(newer)
    found = await installs.async_find_installation(enterprise_id=None, team_id="T9", user_id="U1")
    assert found is not None and found.bot_token == "xoxb-2"  # the newest bot token wins
    bot = await installs.async_find_bot(enterprise_id=None, team_id="T9")
    assert bot is not None and bot.bot_token == "xoxb-2"
    assert await bot_token_for(store, "T9") == "xoxb-2"
    await installs.async_delete_all(enterprise_id=None, team_id="T9")
    assert await installs.async_find_bot(enterprise_id=None, team_id="T9") is None
    assert await installs.async_find_installation(enterprise_id=None, team_id="T9") is None

    states = RedisOAuthStateStore(store)
    state = await states.async_issue()
    assert await states.async_consume(state) is True
    assert await states.async_consume(state) is False
    assert await states.async_consume("never-issued") is False


def asyncio_run(awaitable: Any) -> Any:
    import asyncio

    return asyncio.run(awaitable)
