"""The fake Slack API refuses threads, views and unfurls the way Slack does (through slack_sdk)."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import FakeSlack

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}


async def _error(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return str(caught.value.response["error"])


async def test_replies_need_a_parent_in_that_channel() -> None:
    slack = FakeSlack()
    with slack.running() as base:
        client = AsyncWebClient(token="xoxb-test", base_url=base)
        parent = await client.chat_postMessage(channel="C1", text="digest")
        reply = await client.chat_postMessage(channel="C1", text="one", thread_ts=parent["ts"])
        assert reply["ok"]
        elsewhere = client.chat_postMessage(channel="C2", text="x", thread_ts=parent["ts"])
        assert await _error(elsewhere) == "thread_not_found"
        nested = client.chat_postMessage(channel="C1", text="x", thread_ts=reply["ts"])
        assert await _error(nested) == "thread_not_found"
    assert [c.args["text"] for c in slack.thread("C1", parent["ts"])] == ["one"]
    assert len(slack.violations) == 3  # two unknown threads, one of them a reply's ts


async def test_the_spacing_rule_lists_messages_too_close_together() -> None:
    slack = FakeSlack(spacing=30.0)
    with slack.running() as base:
        client = AsyncWebClient(token="xoxb-test", base_url=base)
        await client.chat_postMessage(channel="C1", text="one")
        await client.chat_postMessage(channel="C2", text="another channel")
        await client.chat_postMessage(channel="C1", text="too soon")
    assert len(slack.violations) == 1 and "to C1" in slack.violations[0]


@pytest.mark.parametrize(
    ("view", "error"),
    [
        ({"type": "home", "blocks": [SECTION] * 101}, "invalid_blocks"),
        ({"type": "modal", "blocks": [SECTION]}, "invalid_arguments"),
        (
            {"type": "home", "blocks": [SECTION], "private_metadata": "x" * 3001},
            "invalid_arguments",
        ),
        ({"type": "home", "blocks": [SECTION], "callback_id": "x" * 256}, "invalid_arguments"),
        ({"type": "home", "blocks": [SECTION] * 90, "private_metadata": "é" * 2999}, None),
    ],
)
async def test_views_publish_keeps_the_home_tabs_limits(
    view: dict[str, Any], error: str | None
) -> None:
    slack = FakeSlack()
    with slack.running() as base:
        client = AsyncWebClient(token="xoxb-test", base_url=base)
        call = client.views_publish(user_id="U1", view=view)
        if error is None:
            assert (await call)["ok"]
        else:
            assert await _error(call) == error


async def test_a_view_over_250_kb_or_a_disabled_home_tab_is_refused() -> None:
    slack = FakeSlack()
    big = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2900}}
    with slack.running() as base:
        client = AsyncWebClient(token="xoxb-test", base_url=base)
        too_large = client.views_publish(user_id="U1", view={"type": "home", "blocks": [big] * 99})
        assert await _error(too_large) == "view_too_large"
        slack.home_tab_enabled = False
        home = client.views_publish(user_id="U1", view={"type": "home", "blocks": [SECTION]})
        assert await _error(home) == "not_enabled"


async def test_unfurls_only_the_links_of_the_shared_message() -> None:
    slack = FakeSlack()
    ts = slack.share_links("C1", ["https://a.example/s/1"])
    card = {"blocks": [SECTION]}
    with slack.running() as base:
        client = AsyncWebClient(token="xoxb-test", base_url=base)
        ok = await client.chat_unfurl(channel="C1", ts=ts, unfurls={"https://a.example/s/1": card})
        assert ok["ok"]
        other = client.chat_unfurl(channel="C1", ts=ts, unfurls={"https://a.example/s/2": card})
        assert await _error(other) == "cannot_unfurl_url"
        unknown = client.chat_unfurl(
            channel="C1", ts="1.2", unfurls={"https://a.example/s/1": card}
        )
        assert await _error(unknown) == "cannot_unfurl_message"
        too_many = {"https://a.example/s/1": {"blocks": [SECTION] * 51}}
        assert await _error(client.chat_unfurl(channel="C1", ts=ts, unfurls=too_many)) == (
            "invalid_blocks"
        )
