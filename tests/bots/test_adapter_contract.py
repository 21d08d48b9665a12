"""The contract every channel adapter keeps, run over all of them (table-driven).

Each row starts the channel's real fake (aiosmtpd, the fake Slack API, the fake LINE API),
builds the adapter through the registry as the workers do, and checks the same promises:
limits declared as data (the registry's, which the jobs read), a maximal digest rendered
within them, a pure render, one Outcome per recipient in order, bad
addresses reported rather than raised, long editions sent within the platform's limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from bots.base import ChannelAdapter, OutcomeKind
from bots.email.adapter import EmailAdapter
from bots.line.adapter import LineAdapter
from bots.registry import ADAPTERS, build_adapter, limits_for
from bots.slack.adapter import SlackAdapter
from core.config import Settings, load_settings
from core.errors import ConfigError
from core.models import Recipient
from core.store.base import Store
from tests.bots.maximal import MEASURES, MOST_STORIES, maximal_edition
from tests.fakes.line_api import FakeLine, user_id
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp import FakeSMTP
from tests.render.editions import make_edition


@dataclass
class Harness:
    adapter: ChannelAdapter
    address: Callable[[int], str]
    bad_address: str
    delivered: Callable[[], int]
    violations: Callable[[], list[str]]


def _with(settings: Settings, **groups: dict[str, object]) -> Settings:
    data = settings.model_dump()
    for name, values in groups.items():
        data[name] = {**data[name], **values}
    return load_settings(**data)


@contextmanager
def _email(store: Store) -> Iterator[Harness]:
    with FakeSMTP().running() as smtp:
        settings = _with(
            store.settings, smtp={"host": smtp.host, "port": smtp.port, "starttls": False}
        )
        yield Harness(
            build_adapter("email", _store(store, settings)),
            lambda n: f"reader{n}@example.org",
            "nobody-at-all",
            lambda: len(smtp.messages),
            lambda: [],
        )


@contextmanager
def _slack(store: Store) -> Iterator[Harness]:
    # A digest is a message and a thread of one reply per story: paced at Slack's 1 s, a
    # maximal one takes 20 s. Here the pace is 50 ms, and the fake checks that spacing.
    slack = FakeSlack(tokens={"xoxb-test": "T0001"}, spacing=0.05, channel_burst=10_000)
    with slack.running() as base:
        settings = _with(store.settings, slack={"api_base": base, "bot_token": "xoxb-test"})
        adapter = build_adapter("slack", _store(store, settings))
        assert isinstance(adapter, SlackAdapter)
        adapter.min_interval = 0.05
        yield Harness(
            adapter,
            lambda n: f"T0001/C{n:04d}",
            "no slash here",
            lambda: len(slack.parents()),  # one digest message per recipient
            lambda: slack.violations,
        )


@contextmanager
def _line(store: Store) -> Iterator[Harness]:
    line = FakeLine()
    with line.running() as host:
        settings = _with(
            store.settings, line={"api_base": host, "channel_access_token": "line-test-token"}
        )
        yield Harness(
            build_adapter("line", _store(store, settings)),
            user_id,
            "U-not-an-id",
            lambda: len(line.deliveries),
            lambda: line.violations,
        )


def _store(store: Store, settings: Settings) -> Store:
    return Store(redis=store.redis, keys=store.keys, settings=settings)


HARNESSES = {"email": _email, "slack": _slack, "line": _line}


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest, store: Store) -> Iterator[Harness]:
    with HARNESSES[request.param](store) as running:
        yield running


def test_every_channel_has_an_adapter_and_a_harness() -> None:
    assert set(ADAPTERS) == set(HARNESSES) == {"email", "slack", "line"}


def test_limits_are_declared_as_data(harness: Harness) -> None:
    limits = harness.adapter.limits
    assert limits is limits_for(harness.adapter.channel)  # what the jobs read
    assert limits.max_chars > 0 and limits.max_items >= 5
    assert limits.max_recipients_per_call >= 1 and limits.max_messages_per_call >= 1
    assert harness.adapter.channel in ADAPTERS


def test_render_is_pure_and_repeatable(harness: Harness) -> None:
    channel = harness.adapter.channel
    edition = make_edition(5, channel=channel)
    first = harness.adapter.render(edition)
    assert harness.adapter.render(edition) == first
    assert harness.delivered() == 0  # rendering sent nothing


async def test_a_maximal_digest_renders_within_the_channels_declared_limits(
    harness: Harness,
) -> None:
    channel = harness.adapter.channel
    limits = limits_for(channel)
    payload = harness.adapter.render(maximal_edition(channel))
    measured = MEASURES[channel](payload)
    assert measured.stories == MOST_STORIES  # nothing dropped on the way
    assert measured.messages_per_call <= limits.max_messages_per_call
    assert max(measured.stories_per_message) <= limits.max_items
    assert max(measured.text_chars) <= limits.max_chars
    if limits.max_blocks_per_message is not None:
        assert max(measured.blocks_per_message) <= limits.max_blocks_per_message
    if limits.max_payload_bytes is not None:
        assert max(measured.payload_bytes) <= limits.max_payload_bytes
    outcomes = await harness.adapter.send(
        payload, [Recipient(subscriber_id="s", address=harness.address(1))]
    )
    assert outcomes[0].kind is OutcomeKind.SENT  # and the platform's fake agrees
    assert harness.violations() == []


async def test_one_outcome_per_recipient_in_order(harness: Harness) -> None:
    channel = harness.adapter.channel
    payload = harness.adapter.render(make_edition(5, channel=channel))
    recipients = [Recipient(subscriber_id=f"sub{n}", address=harness.address(n)) for n in range(4)]
    recipients.insert(2, Recipient(subscriber_id="bad", address=harness.bad_address))
    outcomes = await harness.adapter.send(payload, recipients)
    assert [o.subscriber_id for o in outcomes] == [r.subscriber_id for r in recipients]
    assert outcomes[2].kind is OutcomeKind.GONE
    assert [o.kind for i, o in enumerate(outcomes) if i != 2] == [OutcomeKind.SENT] * 4
    assert harness.delivered() == 4
    assert await harness.adapter.send(payload, []) == []


async def test_a_long_hostile_edition_goes_out_within_the_platform_limits(
    harness: Harness,
) -> None:
    channel = harness.adapter.channel
    edition = make_edition(20, channel=channel, text_size=30, hostile=True)
    payload = harness.adapter.render(edition)
    outcomes = await harness.adapter.send(
        payload, [Recipient(subscriber_id="s", address=harness.address(1))]
    )
    assert outcomes[0].kind is OutcomeKind.SENT
    assert harness.violations() == []


@pytest.mark.parametrize(
    ("channel", "kind", "outbox"),
    [("email", EmailAdapter, False), ("slack", SlackAdapter, True), ("line", LineAdapter, True)],
)
def test_unconfigured_channels_write_to_the_outbox(
    store: Store, channel: str, kind: type, outbox: bool
) -> None:
    adapter = build_adapter(channel, store)
    assert isinstance(adapter, kind)
    if outbox:
        assert getattr(adapter, "outbox", None) == store.settings.digest.outbox_dir / channel


def test_an_unknown_channel_is_a_clear_error(store: Store) -> None:
    with pytest.raises(ConfigError, match="unknown channel 'fax'"):
        build_adapter("fax", store)
