"""The LINE bot through signed webhook bodies on a real port, replying via the fake LINE
Messaging API: follow, unfollow, text commands, postbacks, redeliveries, bad signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bots.line.webhook import postback_command
from bots.web import create_app
from core.config import LineSettings
from core.metrics import snapshot
from core.models import ChannelStatus
from core.store.base import Store
from core.store.feedback import FeedbackRepo
from core.store.subscribers import SubscriberRepo
from tests.channels import channel_of
from tests.e2e.data import seed_day
from tests.fakes.line_api import FakeLine, user_id
from tests.fakes.server import serve
from tests.waiting import eventually

SECRET = "line-channel-secret-for-tests"


@pytest.fixture
def fake_line() -> Iterator[FakeLine]:
    line = FakeLine(token="line-test-token")
    with line.running():
        yield line


@pytest.fixture
def bot(store: Store, fake_line: FakeLine) -> Iterator[tuple[httpx.Client, Store]]:
    line = LineSettings(
        channel_secret=SecretStr(SECRET),
        channel_access_token=SecretStr("line-test-token"),
        api_base=fake_line.base_url,
    )
    settings = store.settings.model_copy(update={"line": line})
    app_store = Store(redis=store.redis, keys=store.keys, settings=settings)
    app = create_app(settings, app_store)
    with serve(app) as base, httpx.Client(base_url=base) as client:
        yield client, app_store


def event(kind: str, user: str, reply_token: str | None, **extra: Any) -> dict[str, Any]:
    if kind == "follow":
        extra.setdefault("follow", {"isUnblocked": False})  # as LINE sends it
    body: dict[str, Any] = {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": uuid.uuid4().hex.upper()[:26],
        "deliveryContext": {"isRedelivery": False},
        **extra,
    }
    if reply_token:
        body["replyToken"] = reply_token
    return body


def text_event(user: str, token: str, text: str) -> dict[str, Any]:
    message = {"type": "text", "id": str(time.monotonic_ns()), "text": text, "quoteToken": "q"}
    return event("message", user, token, message=message)


def send(client: httpx.Client, *events: dict[str, Any], secret: str = SECRET) -> httpx.Response:
    body = json.dumps({"destination": "U" + "0" * 32, "events": list(events)}).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    headers = {"Content-Type": "application/json", "X-Line-Signature": signature.decode()}
    return client.post("/line/webhook", content=body, headers=headers)


def texts(fake: FakeLine, user: str) -> list[dict[str, Any]]:
    return [m for messages in fake.delivered_to(user) for m in messages]


def test_follow_subscribes_with_welcome_and_quick_replies(
    bot: tuple[httpx.Client, Store], fake_line: FakeLine
) -> None:
    client, store = bot
    user = user_id("follow")
    fake_line.add_profile(user, language="ja")
    assert send(client, event("follow", user, fake_line.issue_reply_token(user))).status_code == 200
    [welcome] = eventually(lambda: texts(fake_line, user))
    assert "Welcome to AIToday" in welcome["text"]
    items = welcome["quickReply"]["items"]
    assert 2 <= len(items) <= 13
    data = [i["action"].get("data") for i in items]
    assert "time=07:00" in data and "lang=ja" in data
    sub = SubscriberRepo(store).by_address("line", user)
    assert sub is not None and sub.language == "ja"  # from the LINE profile

    postback = event(
        "postback", user, fake_line.issue_reply_token(user), postback={"data": "time=08:00"}
    )
    send(client, postback)
    eventually(lambda: len(texts(fake_line, user)) >= 2)
    assert SubscriberRepo(store).require(sub.id).delivery_time == "08:00"

    send(client, text_event(user, fake_line.issue_reply_token(user), "tz Asia/Tokyo"))
    eventually(lambda: len(texts(fake_line, user)) >= 3)
    assert SubscriberRepo(store).require(sub.id).timezone == "Asia/Tokyo"

    send(client, event("unfollow", user, None))
    eventually(
        lambda: (
            channel_of(SubscriberRepo(store).get(sub.id), "line").status
            is ChannelStatus.UNSUBSCRIBED
        )
    )
    assert fake_line.violations == []


def test_today_then_brief_as_flex(bot: tuple[httpx.Client, Store], fake_line: FakeLine) -> None:
    client, store = bot
    seed_day(store)
    user = user_id("reader")
    send(client, text_event(user, fake_line.issue_reply_token(user), "today"))
    [today] = eventually(lambda: texts(fake_line, user))
    assert "1. Acme AI releases Nova-2" in today["text"]
    assert "/s/story-model-release" in today["text"]
    send(client, text_event(user, fake_line.issue_reply_token(user), "brief 2"))
    eventually(lambda: len(texts(fake_line, user)) >= 2)
    flex = texts(fake_line, user)[1]
    assert flex["type"] == "flex" and flex["altText"]
    assert "/s/story-chip-export" in str(flex["contents"])
    assert flex["quickReply"]["items"]
    assert fake_line.violations == []


def test_more_and_less_postbacks_record_feedback_with_an_undo(
    bot: tuple[httpx.Client, Store], fake_line: FakeLine
) -> None:
    client, store = bot
    seed_day(store)
    user = user_id("tapper")
    fake_line.add_profile(user, language="ja")
    send(client, event("follow", user, fake_line.issue_reply_token(user)))
    eventually(lambda: texts(fake_line, user))
    tap = {"data": "less=story-chip-export"}
    send(client, event("postback", user, fake_line.issue_reply_token(user), postback=tap))
    eventually(lambda: len(texts(fake_line, user)) >= 2)
    noted = texts(fake_line, user)[1]
    assert "このような記事を減らします" in noted["text"]  # the reader's language
    sub = SubscriberRepo(store).by_address("line", user)
    assert sub is not None
    [recorded] = FeedbackRepo(store).events(sub.id)
    assert (recorded.story_id, recorded.direction, recorded.channel) == (
        "story-chip-export",
        "less",
        "line",
    )
    assert sub.prefs.topics_muted == []  # a tap is a signal, not a mute
    [undo] = noted["quickReply"]["items"]
    assert undo["action"]["data"] == f"undo={recorded.id}"
    assert undo["action"]["label"] == "元に戻す"
    send(
        client, event("postback", user, fake_line.issue_reply_token(user), postback=undo["action"])
    )
    eventually(lambda: len(texts(fake_line, user)) >= 3)
    assert FeedbackRepo(store).events(sub.id) == []
    assert fake_line.violations == []


def test_a_group_subscribes_when_it_adds_the_bot(
    bot: tuple[httpx.Client, Store], fake_line: FakeLine
) -> None:
    client, store = bot
    group = "C" + "1" * 32
    token = fake_line.issue_reply_token(group)
    join = event("join", "U" + "2" * 32, token)
    join["source"] = {"type": "group", "groupId": group}
    assert send(client, join).status_code == 200
    eventually(lambda: texts(fake_line, group))
    sub = SubscriberRepo(store).by_address("line", group)
    assert sub is not None
    leave = event("leave", "U" + "2" * 32, None)
    leave["source"] = {"type": "group", "groupId": group}
    send(client, leave)
    eventually(
        lambda: (
            channel_of(SubscriberRepo(store).get(sub.id), "line").status
            is ChannelStatus.UNSUBSCRIBED
        )
    )


def test_unknown_text_gets_usage_never_a_trace(
    bot: tuple[httpx.Client, Store], fake_line: FakeLine
) -> None:
    client, _ = bot
    user = user_id("unknown")
    send(client, text_event(user, fake_line.issue_reply_token(user), "what is this?"))
    [reply] = eventually(lambda: texts(fake_line, user))
    assert "I don't know" in reply["text"] and "Traceback" not in reply["text"]
    assert reply["quickReply"]["items"]


def test_redeliveries_are_handled_once(
    bot: tuple[httpx.Client, Store], fake_line: FakeLine
) -> None:
    client, store = bot
    user = user_id("redelivery")
    first = event("follow", user, fake_line.issue_reply_token(user))
    send(client, first)
    eventually(lambda: texts(fake_line, user))
    again = {**first, "deliveryContext": {"isRedelivery": True}}
    assert send(client, again).status_code == 200
    time.sleep(0.2)
    assert len(fake_line.calls_to("reply")) == 1
    assert SubscriberRepo(store).count() == 1


def test_bad_signature_and_malformed_body_are_refused(
    bot: tuple[httpx.Client, Store], fake_line: FakeLine
) -> None:
    client, store = bot
    user = user_id("forged")
    forged = send(client, event("follow", user, "t"), secret="someone-else")
    assert forged.status_code == 400
    unsigned = client.post("/line/webhook", content=b"{}")
    assert unsigned.status_code == 400
    assert SubscriberRepo(store).by_address("line", user) is None
    counts = snapshot(store)["aitoday_webhooks_rejected_total"]
    assert counts['reason="signature",surface="line"'] == 2.0
    huge = client.post("/line/webhook", content=b"x" * 1_000_001)
    assert huge.status_code == 413


def test_postback_data_becomes_a_command() -> None:
    assert postback_command("time=07:30") == "time 07:30"
    assert postback_command("lang=ja") == "lang ja"
    assert postback_command("cmd=today") == "today"
    assert postback_command("evil=1") == "help"
    assert postback_command("") == "help"


def test_a_body_of_many_events_is_cut_to_the_cap(
    bot: tuple[httpx.Client, Store], fake_line: FakeLine
) -> None:
    from bots.line.webhook import MAX_EVENTS

    client, store = bot
    users = [user_id(f"many{n}") for n in range(MAX_EVENTS + 50)]
    events = [text_event(u, fake_line.issue_reply_token(u), "help") for u in users]
    assert send(client, *events).status_code == 200
    counts = snapshot(store)["aitoday_webhooks_rejected_total"]
    assert counts['reason="events",surface="line"'] == 50.0  # decided before the 200
    assert eventually(lambda: texts(fake_line, users[MAX_EVENTS - 1]))
    assert all(not texts(fake_line, u) for u in users[MAX_EVENTS:])


def test_commands_per_user_per_minute_are_bounded(
    bot: tuple[httpx.Client, Store], fake_line: FakeLine
) -> None:
    from bots.line.webhook import COMMANDS_PER_MINUTE

    client, store = bot
    user, other = user_id("chatty"), user_id("calm")
    events = [
        text_event(user, fake_line.issue_reply_token(user), "help")
        for _ in range(COMMANDS_PER_MINUTE + 5)
    ]
    events.append(text_event(other, fake_line.issue_reply_token(other), "help"))
    assert send(client, *events).status_code == 200
    counts = snapshot(store)["aitoday_webhooks_rejected_total"]
    assert counts['reason="rate",surface="line"'] == 5.0
    # Events are handled in order and the calm user's came last: the flood is done.
    assert eventually(lambda: texts(fake_line, other))  # one user's flood spares the others
    assert len(texts(fake_line, user)) == COMMANDS_PER_MINUTE
