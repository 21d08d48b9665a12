"""The Slack adapter against the fake Slack Web API (a real local HTTP server)."""

from __future__ import annotations

import json

import pytest

from bots.base import OutcomeKind
from bots.slack.adapter import SlackAdapter, ThreadMark, ThreadProgress
from core.config import Settings
from core.models import Recipient
from core.store.base import Store
from tests.fakes.slack_api import FakeSlack
from tests.render.editions import make_edition

FAST = 0.05  # seconds between two messages to one channel in most tests here (Slack: 1)


def _fast(slack: FakeSlack) -> FakeSlack:
    """The fake checks the FAST spacing instead of Slack's burst of 4 in one second."""
    slack.spacing, slack.channel_burst = FAST, 10_000
    return slack


def _settings(settings: Settings, api_base: str) -> Settings:
    slack = settings.slack.model_copy(update={"api_base": api_base})
    return settings.model_copy(update={"slack": slack})


def _to(*addresses: str) -> list[Recipient]:
    return [Recipient(subscriber_id=f"s{n}", address=a) for n, a in enumerate(addresses)]


async def _tokens(team_id: str) -> str | None:
    return {"T0001": "xoxb-test", "T0002": "xoxb-two"}.get(team_id)


@pytest.fixture
def slack() -> FakeSlack:
    return _fast(FakeSlack(tokens={"xoxb-test": "T0001", "xoxb-two": "T0002"}))


async def test_each_workspace_gets_its_own_token(settings: Settings, slack: FakeSlack) -> None:
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens, min_interval=FAST)
        outcomes = await adapter.send(
            adapter.render(make_edition(5, channel="slack")),
            _to("T0001/C1", "T0002/C2", "T0003/C3"),
        )
    kinds = [o.kind for o in outcomes]
    assert kinds == [OutcomeKind.SENT, OutcomeKind.SENT, OutcomeKind.GONE]
    assert outcomes[2].reason == "app not installed"
    assert len(slack.messages("C1", team="T0001")) == 6  # the digest and 5 thread replies
    assert len(slack.messages("C2", team="T0002")) == 6
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
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens, min_interval=FAST)
        outcomes = await adapter.send(adapter.render(make_edition(2)), _to("T0001/C9", "T0001/C1"))
    assert outcomes[0].kind is OutcomeKind.GONE and outcomes[0].reason == code
    assert outcomes[1].kind is OutcomeKind.SENT


async def test_429_waits_retry_after_then_posts(settings: Settings, slack: FakeSlack) -> None:
    slack.rate_limit("chat.postMessage", retry_after=0)
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens, min_interval=FAST)
        outcomes = await adapter.send(adapter.render(make_edition(1)), _to("T0001/C1"))
    assert outcomes[0].kind is OutcomeKind.SENT
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200, 200]


async def test_a_persistent_429_is_transient_with_retry_after(
    settings: Settings, slack: FakeSlack
) -> None:
    slack.rate_limit("chat.postMessage", retry_after=1, times=2)
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens, min_interval=FAST)
        outcomes = await adapter.send(adapter.render(make_edition(1)), _to("T0001/C1"))
    assert outcomes[0].kind is OutcomeKind.TRANSIENT
    assert outcomes[0].retry_after == 1.0


async def test_5xx_is_retried_once_then_transient(settings: Settings, slack: FakeSlack) -> None:
    slack.server_error("chat.postMessage", status=503, times=1)
    slack.server_error("chat.postMessage", status=500, times=2)
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens, min_interval=FAST)
        first = await adapter.send(adapter.render(make_edition(1)), _to("T0001/C1"))
        second = await adapter.send(adapter.render(make_edition(1)), _to("T0001/C2"))
    assert first[0].kind is OutcomeKind.TRANSIENT  # 503, then 500 on the one retry
    assert second[0].kind is OutcomeKind.SENT  # 500, then the retry goes through
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [503, 500, 500, 200, 200]


async def test_a_timeout_is_transient(settings: Settings, slack: FakeSlack) -> None:
    slack.delay("chat.postMessage", seconds=1, times=2)
    with slack.running() as base:
        adapter = SlackAdapter(
            _settings(settings, base), token_for=_tokens, timeout=0.3, min_interval=FAST
        )
        outcomes = await adapter.send(adapter.render(make_edition(1)), _to("T0001/C1"))
    assert outcomes[0].kind is OutcomeKind.TRANSIENT


async def test_a_long_digest_is_one_message_and_a_thread_within_limits(
    settings: Settings, slack: FakeSlack
) -> None:
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens, min_interval=FAST)
        payload = adapter.render(make_edition(20, text_size=40, hostile=True))
        outcomes = await adapter.send(payload, _to("T0001/C1"))
    assert outcomes[0].kind is OutcomeKind.SENT
    assert len(payload.messages) == 21
    [parent] = slack.parents("C1")
    assert len(slack.thread("C1", parent.response["ts"])) == 20
    assert slack.violations == []
    assert slack.mentions() == []


async def test_replies_keep_slacks_pace_of_one_message_a_second_per_channel(
    settings: Settings, slack: FakeSlack
) -> None:
    # Slack's own numbers: a burst of 4 in a second is a 429, and the fake lists any
    # message to a channel closer than 1 s to the one before
    slack.spacing, slack.channel_burst = 1.0, 4
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens)
        payload = adapter.render(make_edition(2))
        outcomes = await adapter.send(payload, _to("T0001/C1", "T0001/C2"))
    assert [o.kind for o in outcomes] == [OutcomeKind.SENT] * 2
    for channel in ("C1", "C2"):
        [parent] = slack.parents(channel)
        assert len(slack.thread(channel, parent.response["ts"])) == 2
    assert slack.violations == []


def _thread_texts(slack: FakeSlack, channel: str) -> tuple[int, list[str]]:
    parents = slack.parents(channel)
    replies = [c.args["text"] for p in parents for c in slack.thread(channel, p.response["ts"])]
    return len(parents), replies


async def test_a_429_that_persists_mid_thread_resumes_on_the_retry_without_a_second_parent(
    settings: Settings, slack: FakeSlack, store: Store
) -> None:
    # parent and reply 1 go out; reply 2 gets 429 twice (slack_sdk waits once, then gives up)
    slack.rate_limit("chat.postMessage", retry_after=1, times=2, channel="C1", after=2)
    threads = ThreadProgress(store)
    with slack.running() as base:
        adapter = SlackAdapter(
            _settings(settings, base), token_for=_tokens, min_interval=FAST, threads=threads
        )
        payload = adapter.render(make_edition(4))
        [first] = await adapter.send(payload, _to("T0001/C1"))
        assert first.kind is OutcomeKind.TRANSIENT and first.retry_after == 1.0
        assert first.reason == "thread 1/4: ratelimited"
        assert threads.get("ed0001", "s0") == ThreadMark(slack.parents("C1")[0].response["ts"], 1)
        [again] = await adapter.send(payload, _to("T0001/C1"))  # the job's retry
    assert again.kind is OutcomeKind.SENT
    parents, replies = _thread_texts(slack, "C1")
    assert parents == 1
    assert replies == [
        f"{n}. Lab {n} releases an open model with a 1M-token context window" for n in range(1, 5)
    ]
    assert slack.violations == []


async def test_a_dm_thread_resumes_in_the_dm_slack_answered_with(
    settings: Settings, slack: FakeSlack, store: Store
) -> None:
    slack.rate_limit("chat.postMessage", retry_after=0, times=2, channel="D0READER", after=1)
    with slack.running() as base:
        adapter = SlackAdapter(
            _settings(settings, base),
            token_for=_tokens,
            min_interval=FAST,
            threads=ThreadProgress(store),
        )
        payload = adapter.render(make_edition(2))
        [first] = await adapter.send(payload, _to("T0001/U0READER"))
        [again] = await adapter.send(payload, _to("T0001/U0READER"))
    assert (first.kind, again.kind) == (OutcomeKind.TRANSIENT, OutcomeKind.SENT)
    [parent] = slack.parents("U0READER")
    replies = slack.thread("D0READER", parent.response["ts"])
    assert [r.args["text"][:2] for r in replies] == ["1.", "2."]
    assert slack.violations == []


async def test_a_5xx_mid_thread_resumes_too(
    settings: Settings, slack: FakeSlack, store: Store
) -> None:
    slack.server_error("chat.postMessage", status=503, times=2, after=3)
    with slack.running() as base:
        adapter = SlackAdapter(
            _settings(settings, base),
            token_for=_tokens,
            min_interval=FAST,
            threads=ThreadProgress(store),
        )
        payload = adapter.render(make_edition(3))
        [first] = await adapter.send(payload, _to("T0001/C1"))
        [again] = await adapter.send(payload, _to("T0001/C1"))
    assert (first.kind, again.kind) == (OutcomeKind.TRANSIENT, OutcomeKind.SENT)
    parents, replies = _thread_texts(slack, "C1")
    assert parents == 1 and len(replies) == len(set(replies)) == 3


async def test_a_single_429_mid_thread_waits_and_loses_nothing(
    settings: Settings, slack: FakeSlack
) -> None:
    slack.rate_limit("chat.postMessage", retry_after=0, channel="C1", after=2)
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens, min_interval=FAST)
        [outcome] = await adapter.send(adapter.render(make_edition(3)), _to("T0001/C1"))
    assert outcome.kind is OutcomeKind.SENT
    parents, replies = _thread_texts(slack, "C1")
    assert parents == 1 and len(replies) == 3


async def test_without_a_thread_log_a_cut_thread_counts_as_sent_and_is_never_repeated(
    settings: Settings, slack: FakeSlack
) -> None:
    slack.rate_limit("chat.postMessage", retry_after=0, times=2, channel="C1", after=1)
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens, min_interval=FAST)
        [outcome] = await adapter.send(adapter.render(make_edition(3)), _to("T0001/C1"))
    assert outcome.kind is OutcomeKind.SENT
    assert outcome.reason == "partial thread 0/3: ratelimited"


async def test_a_reply_slack_refuses_is_skipped_and_the_thread_goes_on(
    settings: Settings, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", "invalid_blocks", channel="C1", after=2)
    with slack.running() as base:
        adapter = SlackAdapter(_settings(settings, base), token_for=_tokens, min_interval=FAST)
        [outcome] = await adapter.send(adapter.render(make_edition(3)), _to("T0001/C1"))
    assert outcome.kind is OutcomeKind.SENT
    parents, replies = _thread_texts(slack, "C1")
    assert parents == 1 and [r[:2] for r in replies] == ["1.", "3."]


async def test_a_channel_archived_mid_thread_is_gone(
    settings: Settings, slack: FakeSlack, store: Store
) -> None:
    slack.fail("chat.postMessage", "is_archived", channel="C1", after=1)
    with slack.running() as base:
        adapter = SlackAdapter(
            _settings(settings, base),
            token_for=_tokens,
            min_interval=FAST,
            threads=ThreadProgress(store),
        )
        [outcome] = await adapter.send(adapter.render(make_edition(3)), _to("T0001/C1"))
    assert outcome.kind is OutcomeKind.GONE and outcome.reason == "is_archived"


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
        adapter = SlackAdapter(_settings(settings, base), token_for=broken, min_interval=FAST)
        outcomes = await adapter.send(adapter.render(make_edition(1)), _to("T0001/C1"))
    assert outcomes[0].kind is OutcomeKind.TRANSIENT
    assert outcomes[0].reason == "token lookup failed: ConnectionError"
