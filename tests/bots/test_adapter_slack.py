"""The Slack adapter against the fake Slack Web API (a real local HTTP server)."""

from __future__ import annotations

import json

import pytest

from bots.base import OutcomeKind
from bots.slack.adapter import SlackAdapter
from core.config import Settings
from core.models import Recipient
from tests.fakes.slack_api import FakeSlack
from tests.render.editions import make_edition


def _settings(settings: Settings, api_base: str) -> Settings:
    slack = settings.slack.model_copy(update={"api_base": api_base})
    return settings.model_copy(update={"slack": slack})


def _to(*addresses: str) -> list[Recipient]:
    return [Recipient(subscriber_id=f"s{n}", address=a) for n, a in enumerate(addresses)]


async def _tokens(team_id: str) -> str | None:
    return {"T0001": "xoxb-test", "T0002": "xoxb-two"}.get(team_id)


@pytest.fixture
def slack() -> FakeSlack:
    return FakeSlack(tokens={"xoxb-test": "T0001", "xoxb-two": "T0002"})


async def test_each_workspace_gets_its_own_token(settings: Settings, slack: FakeSlack) -> None:
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens)
        outcomes = await adapter.send(
            adapter.render(make_edition(5, channel="slack")),
            _to("T0001/C1", "T0002/C2", "T0003/C3"),
        )
    kinds = [o.kind for o in outcomes]
    assert kinds == [OutcomeKind.SENT, OutcomeKind.SENT, OutcomeKind.GONE]
    assert outcomes[2].reason == "app not installed"
    assert len(slack.messages("C1", team="T0001")) == 1
    assert len(slack.messages("C2", team="T0002")) == 1
    assert slack.violations == [] and slack.mentions() == []


@pytest.mark.parametrize(
    "code",
    [
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "token_revoked",
        "invalid_auth",
    ],
)
async def test_gone_codes(settings: Settings, slack: FakeSlack, code: str) -> None:
    slack.fail("chat.postMessage", code, channel="C9")
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens)
        outcomes = await adapter.send(adapter.render(make_edition(2)), _to("T0001/C9", "T0001/C1"))
    assert outcomes[0].kind is OutcomeKind.GONE and outcomes[0].reason == code
    assert outcomes[1].kind is OutcomeKind.SENT


async def test_429_waits_retry_after_then_posts(settings: Settings, slack: FakeSlack) -> None:
    slack.rate_limit("chat.postMessage", retry_after=0)
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens)
        outcomes = await adapter.send(adapter.render(make_edition(1)), _to("T0001/C1"))
    assert outcomes[0].kind is OutcomeKind.SENT
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]


async def test_a_persistent_429_is_transient_with_retry_after(
    settings: Settings, slack: FakeSlack
) -> None:
    slack.rate_limit("chat.postMessage", retry_after=1, times=2)
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens)
        outcomes = await adapter.send(adapter.render(make_edition(1)), _to("T0001/C1"))
    assert outcomes[0].kind is OutcomeKind.TRANSIENT
    assert outcomes[0].retry_after == 1.0


async def test_5xx_is_retried_once_then_transient(settings: Settings, slack: FakeSlack) -> None:
    slack.server_error("chat.postMessage", status=503, times=1)
    slack.server_error("chat.postMessage", status=500, times=2)
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens)
        first = await adapter.send(adapter.render(make_edition(1)), _to("T0001/C1"))
        second = await adapter.send(adapter.render(make_edition(1)), _to("T0001/C2"))
    assert first[0].kind is OutcomeKind.TRANSIENT  # 503, then 500 on the one retry
    assert second[0].kind is OutcomeKind.SENT  # 500, then the retry goes through
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [503, 500, 500, 200]


async def test_a_timeout_is_transient(settings: Settings, slack: FakeSlack) -> None:
    slack.delay("chat.postMessage", seconds=1, times=2)
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens, timeout=0.3)
        outcomes = await adapter.send(adapter.render(make_edition(1)), _to("T0001/C1"))
    assert outcomes[0].kind is OutcomeKind.TRANSIENT


async def test_a_long_digest_is_split_and_paced_within_limits(
    settings: Settings, slack: FakeSlack
) -> None:
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens)
        payload = adapter.render(make_edition(20, text_size=40, hostile=True))
        outcomes = await adapter.send(payload, _to("T0001/C1"))
    assert outcomes[0].kind is OutcomeKind.SENT
    assert len(payload.messages) == 2
    assert len(slack.messages("C1")) == 2
    assert slack.violations == []
    assert slack.mentions() == []


async def test_without_a_token_the_outbox_gets_the_payload(settings: Settings) -> None:
    outbox = settings.digest.outbox_dir / "slack"
    adapter = SlackAdapter(settings, outbox=outbox)
    outcomes = await adapter.send(adapter.render(make_edition(2)), _to("T1/C1"))
    assert outcomes[0].kind is OutcomeKind.SENT
    written = json.loads((outbox / "ed0001.s0.json").read_text())
    assert written["messages"][0]["blocks"][0]["type"] == "header"


async def test_a_failing_token_lookup_is_transient(settings: Settings, slack: FakeSlack) -> None:
    async def broken(team_id: str) -> str | None:
        raise ConnectionError("installation store unreachable")

    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=broken)
        outcomes = await adapter.send(adapter.render(make_edition(1)), _to("T0001/C1"))
    assert outcomes[0].kind is OutcomeKind.TRANSIENT
    assert outcomes[0].reason == "token lookup failed: ConnectionError"
