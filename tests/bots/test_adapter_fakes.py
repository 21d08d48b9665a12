"""The platform fakes themselves answer like the platforms, through the real SDKs."""

from __future__ import annotations

import uuid

import aiosmtplib
import httpx
import pytest
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    MulticastRequest,
    PushMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.line_api import QUOTA_MESSAGE, FakeLine, user_id
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp import FakeSMTP


async def test_slack_fake_accepts_a_valid_message_and_refuses_limits() -> None:
    slack = FakeSlack()
    with slack.running() as base:
        client = AsyncWebClient(token="xoxb-test", base_url=base)
        assert (await client.auth_test())["team_id"] == "T0001"
        blocks = [{"type": "header", "text": {"type": "plain_text", "text": "Hi"}}]
        await client.chat_postMessage(channel="C1", text="Hi", blocks=blocks)
        with pytest.raises(SlackApiError) as too_many:
            await client.chat_postMessage(channel="C1", text="x", blocks=blocks * 51)
        slack.fail("chat.postMessage", "is_archived", channel="C2")
        with pytest.raises(SlackApiError) as archived:
            await client.chat_postMessage(channel="C2", text="x")
        bad = AsyncWebClient(token="xoxb-nope", base_url=base)
        with pytest.raises(SlackApiError) as auth:
            await bad.chat_postMessage(channel="C1", text="x")
    assert too_many.value.response["error"] == "invalid_blocks"
    assert archived.value.response["error"] == "is_archived"
    assert auth.value.response["error"] == "invalid_auth"
    assert len(slack.messages("C1")) == 1
    assert slack.violations and "51 blocks" in slack.violations[0]


# slack_sdk 3.48 still builds aiohttp.BasicAuth for oauth.v2.access (deprecated in aiohttp 3.14)
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
async def test_slack_fake_oauth_and_rate_limit() -> None:
    slack = FakeSlack()
    slack.add_oauth_code("code-1", "T0042")
    with slack.running() as base:
        client = AsyncWebClient(base_url=base)
        answer = await client.oauth_v2_access(
            client_id=slack.client_id, client_secret=slack.client_secret, code="code-1"
        )
        token = answer["access_token"]
        team_client = AsyncWebClient(token=token, base_url=base)
        assert (await team_client.auth_test())["team_id"] == "T0042"
        slack.rate_limit("chat.postMessage", retry_after=7)
        with pytest.raises(SlackApiError) as limited:
            await team_client.chat_postMessage(channel="C1", text="x")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["retry-after"] == "7"


async def test_line_fake_retry_key_quota_and_blocked_users() -> None:
    line = FakeLine(quota=3)
    users = [user_id(n) for n in range(3)]
    line.block(users[2])
    with line.running() as host:
        async with AsyncApiClient(Configuration(access_token="line-test-token", host=host)) as c:
            api = AsyncMessagingApi(c)
            key = str(uuid.uuid4())
            request = MulticastRequest(to=users, messages=[TextMessage(text="hi")])
            await api.multicast(request, x_line_retry_key=key)
            with pytest.raises(ApiException) as repeat:
                await api.multicast(request, x_line_retry_key=key)
            assert (await api.get_message_quota_consumption()).total_usage == 2
            push = PushMessageRequest(to=users[2], messages=[TextMessage(text="hi")])
            with pytest.raises(ApiException) as blocked:
                await api.push_message(push)
            await api.push_message(
                PushMessageRequest(to=users[0], messages=[TextMessage(text="2")])
            )
            with pytest.raises(ApiException) as quota:
                await api.push_message(
                    PushMessageRequest(to=users[1], messages=[TextMessage(text="3")])
                )
        # the SDK itself refuses 6 messages, so send the raw request a buggy client would
        too_many = {"to": users[0], "messages": [{"type": "text", "text": "x"}] * 6}
        async with httpx.AsyncClient() as raw:
            invalid = await raw.post(
                host + "/v2/bot/message/push",
                json=too_many,
                headers={"Authorization": "Bearer line-test-token"},
            )
    assert repeat.value.status == 409
    assert repeat.value.headers["X-Line-Accepted-Request-Id"]
    assert blocked.value.status == 400
    assert quota.value.status == 429 and QUOTA_MESSAGE in str(quota.value.body)
    assert invalid.status_code == 400
    assert len(line.delivered_to(users[0])) == 2
    assert line.delivered_to(users[2]) == []
    assert len(line.violations) == 1


async def test_smtp_fake_refuses_per_address_and_drops() -> None:
    with FakeSMTP().running() as smtp:
        smtp.refuse("later@example.org", 450)
        smtp.refuse("gone@example.org", 550)
        async with aiosmtplib.SMTP(hostname=smtp.host, port=smtp.port, start_tls=False) as s:
            refused, _ = await s.sendmail(
                "a@b.c",
                ["ok@example.org", "later@example.org", "gone@example.org"],
                b"Subject: x\r\n\r\nhi",
            )
            smtp.drop_after(0)
            with pytest.raises(aiosmtplib.SMTPException):
                await s.sendmail("a@b.c", ["ok@example.org"], b"Subject: y\r\n\r\nhi")
    assert refused["later@example.org"].code == 450
    assert refused["gone@example.org"].code == 550
    assert smtp.count_by_recipient() == {"ok@example.org": 1}
