"""The LINE adapter against the fake LINE Messaging API (a real local HTTP server)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from bots.base import OutcomeKind
from bots.line.adapter import LineAdapter
from core.config import LineSettings, Settings
from core.models import Recipient
from tests.fakes.line_api import QUOTA_MESSAGE, FakeLine, user_id
from tests.render.editions import make_edition

FAST = (0.01, 0.02, 0.04)


def _settings(settings: Settings, host: str, **line: object) -> Settings:
    values = {"api_base": host, "channel_access_token": "line-test-token", **line}
    validated = LineSettings.model_validate({**settings.line.model_dump(), **values})
    return settings.model_copy(update={"line": validated})


def _users(n: int, start: int = 0) -> list[Recipient]:
    return [Recipient(subscriber_id=f"s{i}", address=user_id(i)) for i in range(start, start + n)]


async def test_1200_users_take_three_multicasts_and_each_gets_one_carousel(
    settings: Settings,
) -> None:
    line = FakeLine()
    recipients = _users(1200)
    with line.running() as host:
        adapter = LineAdapter(_settings(settings, host), backoff=FAST)
        outcomes = await adapter.send(adapter.render(make_edition(5, channel="line")), recipients)
    assert {o.kind for o in outcomes} == {OutcomeKind.SENT}
    assert len(line.calls_to("multicast")) == math.ceil(1200 / 500)
    assert all(c.retry_key for c in line.calls_to("multicast"))
    assert len(line.deliveries) == 1200
    assert line.violations == []
    flex = line.delivered_to(user_id(7))[0][0]
    assert flex["type"] == "flex" and len(flex["contents"]["contents"]) == 5


async def test_a_rerun_of_the_same_batch_is_refused_by_the_retry_key(settings: Settings) -> None:
    line = FakeLine()
    with line.running() as host:
        adapter = LineAdapter(_settings(settings, host), backoff=FAST)
        payload = adapter.render(make_edition(3, channel="line"))
        await adapter.send(payload, _users(10))
        again = await adapter.send(payload, _users(10))  # e.g. the job ran twice
    assert {o.kind for o in again} == {OutcomeKind.SENT}
    assert [c.status for c in line.calls_to("multicast")] == [200, 409]
    assert all(len(line.delivered_to(user_id(i))) == 1 for i in range(10))


async def test_5xx_and_rate_limits_retry_with_the_same_key(settings: Settings) -> None:
    line = FakeLine()
    line.fail("multicast", status=500)
    line.fail("multicast", status=429, retry_after=0)
    with line.running() as host:
        adapter = LineAdapter(_settings(settings, host), backoff=FAST)
        outcomes = await adapter.send(adapter.render(make_edition(1, channel="line")), _users(3))
    assert {o.kind for o in outcomes} == {OutcomeKind.SENT}
    calls = line.calls_to("multicast")
    assert [c.status for c in calls] == [500, 429, 200]
    assert len({c.retry_key for c in calls}) == 1


async def test_persistent_5xx_is_transient(settings: Settings) -> None:
    line = FakeLine()
    line.fail("multicast", status=503, times=10)
    with line.running() as host:
        adapter = LineAdapter(_settings(settings, host), backoff=FAST)
        outcomes = await adapter.send(adapter.render(make_edition(1, channel="line")), _users(2))
    assert {o.kind for o in outcomes} == {OutcomeKind.TRANSIENT}
    assert line.deliveries == []


async def test_a_timeout_is_retried_and_the_key_prevents_a_double_send(
    settings: Settings,
) -> None:
    line = FakeLine()
    line.delay("multicast", seconds=0.6)  # LINE takes it, but answers too late
    with line.running() as host:
        adapter = LineAdapter(_settings(settings, host), timeout=0.3, backoff=(0.5, 0.5))
        outcomes = await adapter.send(adapter.render(make_edition(1, channel="line")), _users(2))
    assert {o.kind for o in outcomes} == {OutcomeKind.SENT}
    assert len(line.delivered_to(user_id(0))) == 1


def _most_engaged_last_first(recipients: Sequence[Recipient]) -> list[Recipient]:
    return list(reversed(recipients))


async def test_quota_engaged_first_sends_what_fits_and_defers_the_rest(
    settings: Settings,
) -> None:
    line = FakeLine(quota=10)
    line.set_quota(10, used=7)
    with line.running() as host:
        adapter = LineAdapter(
            _settings(settings, host), order=_most_engaged_last_first, backoff=FAST
        )
        outcomes = await adapter.send(adapter.render(make_edition(1, channel="line")), _users(5))
    kinds = [o.kind for o in outcomes]
    assert kinds == [OutcomeKind.DEFERRED] * 2 + [OutcomeKind.SENT] * 3
    assert outcomes[0].reason and "3 left for 5" in outcomes[0].reason
    assert line.usage == 10


async def test_quota_defer_all_sends_nothing(settings: Settings) -> None:
    line = FakeLine(quota=10)
    with line.running() as host:
        adapter = LineAdapter(_settings(settings, host, quota_policy="defer_all"), backoff=FAST)
        outcomes = await adapter.send(adapter.render(make_edition(1, channel="line")), _users(11))
    assert {o.kind for o in outcomes} == {OutcomeKind.DEFERRED}
    assert line.calls_to("multicast") == []


async def test_monthly_limit_429_defers_instead_of_dropping(settings: Settings) -> None:
    line = FakeLine()
    line.fail("multicast", status=429, message=QUOTA_MESSAGE)
    with line.running() as host:
        adapter = LineAdapter(_settings(settings, host), backoff=FAST)
        outcomes = await adapter.send(adapter.render(make_edition(1, channel="line")), _users(2))
    assert {o.kind for o in outcomes} == {OutcomeKind.DEFERRED}


async def test_blocked_group_push_is_gone_and_bad_ids_are_gone(settings: Settings) -> None:
    line = FakeLine()
    group = "C" + user_id(99)[1:]
    line.block(group)
    recipients = [
        *_users(2),
        Recipient(subscriber_id="g", address=group),
        Recipient(subscriber_id="bad", address="not-a-line-id"),
    ]
    with line.running() as host:
        adapter = LineAdapter(_settings(settings, host), backoff=FAST)
        outcomes = await adapter.send(adapter.render(make_edition(1, channel="line")), recipients)
    kinds = [o.kind for o in outcomes]
    assert kinds == [OutcomeKind.SENT, OutcomeKind.SENT, OutcomeKind.GONE, OutcomeKind.GONE]
    assert line.calls_to("push")[0].status == 400


async def test_a_multicast_naming_a_bad_id_resends_to_the_others(settings: Settings) -> None:
    line = FakeLine()
    recipients = _users(3)
    line.invalidate(recipients[1].address)
    with line.running() as host:
        adapter = LineAdapter(_settings(settings, host), backoff=FAST)
        outcomes = await adapter.send(adapter.render(make_edition(1, channel="line")), recipients)
    assert [o.kind for o in outcomes] == [OutcomeKind.SENT, OutcomeKind.GONE, OutcomeKind.SENT]
    assert [c.status for c in line.calls_to("multicast")] == [400, 200]
    assert line.delivered_to(user_id(2)) and not line.delivered_to(user_id(1))


async def test_without_a_token_the_outbox_gets_the_payload(settings: Settings) -> None:
    outbox = settings.digest.outbox_dir / "line"
    adapter = LineAdapter(settings, outbox=outbox)
    outcomes = await adapter.send(adapter.render(make_edition(2, channel="line")), _users(1))
    assert outcomes[0].kind is OutcomeKind.SENT
    written = json.loads((outbox / "ed0001.s0.json").read_text())
    assert written["messages"][0]["type"] == "flex"
