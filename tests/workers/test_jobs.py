"""deliver_batch with real RQ workers, a real Redis and real local SMTP/Slack/LINE servers."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from core.models import ChannelStatus
from core.store.base import Store
from core.store.deliveries import DeliveryRepo
from core.store.subscribers import SubscriberRepo
from tests.fakes.line_api import FakeLine
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp import FakeSMTP
from tests.workers.run import drain_here
from tests.workers.seed import address, batches_for, seed_edition, seed_subscribers
from workers.fanout import enqueue_batches

FAST = {"lease_seconds": 2, "backoff": [0.0, 0.0]}


def _with(store: Store, **overrides: object) -> Store:
    settings = store.settings.model_copy(update=overrides)
    return Store(redis=store.redis, keys=store.keys, settings=settings)


@pytest.fixture
def smtp() -> Iterator[FakeSMTP]:
    with FakeSMTP().running() as server:
        yield server


@pytest.fixture
def mail_store(store: Store, smtp: FakeSMTP) -> Store:
    smtp_settings = store.settings.smtp.model_copy(
        update={"host": smtp.host, "port": smtp.port, "starttls": False}
    )
    return _with(store, smtp=smtp_settings)


def test_each_recipient_gets_one_email_though_batches_are_enqueued_twice(
    mail_store: Store, smtp: FakeSMTP
) -> None:
    edition = seed_edition(mail_store, "email")
    subs = seed_subscribers(mail_store, "email", 120)
    batches = batches_for(mail_store, edition, subs, size=50)
    assert enqueue_batches(mail_store, batches, **FAST) == 3
    assert enqueue_batches(mail_store, batches, **FAST) == 0
    drain_here(mail_store)
    counts = smtp.count_by_recipient()
    assert counts == {address("email", n): 1 for n in range(120)}
    status = DeliveryRepo(mail_store).status(edition.id)
    assert status["email"]["sent"] == 120
    assert status["email"]["pending"] == 0


def test_a_subscriber_who_left_after_the_edition_was_built_gets_nothing(
    mail_store: Store, smtp: FakeSMTP
) -> None:
    edition = seed_edition(mail_store, "email")
    subs = seed_subscribers(mail_store, "email", 5)
    batches = batches_for(mail_store, edition, subs)
    SubscriberRepo(mail_store).set_channel_status(
        subs[2].id, "email", ChannelStatus.UNSUBSCRIBED, "one-click"
    )
    enqueue_batches(mail_store, batches, **FAST)
    drain_here(mail_store)
    assert address("email", 2) not in smtp.count_by_recipient()
    assert len(smtp.messages) == 4
    assert DeliveryRepo(mail_store).status(edition.id)["email"]["skipped"] == 1


def test_transient_recipients_are_retried_alone_and_bounces_stop_sending(
    mail_store: Store, smtp: FakeSMTP
) -> None:
    edition = seed_edition(mail_store, "email")
    subs = seed_subscribers(mail_store, "email", 6)
    smtp.refuse(address("email", 1), 450)
    smtp.refuse(address("email", 2), 550)
    enqueue_batches(mail_store, batches_for(mail_store, edition, subs), **FAST)
    drain_here(mail_store)
    repo = DeliveryRepo(mail_store)
    status = repo.status(edition.id)["email"]
    assert (status["sent"], status["failed"], status["gone"]) == (4, 1, 1)
    [letter] = repo.dead_letters(edition.id)
    assert letter.ids == [subs[1].id]
    assert "450" in letter.reason or "retries exhausted" in letter.reason
    bounced = SubscriberRepo(mail_store).get(subs[2].id)
    assert bounced is not None
    assert bounced.channels[0].status == ChannelStatus.BOUNCED

    smtp.accept(address("email", 1))
    from tests.workers.run import aitoday_ok, env_for

    env = env_for(
        mail_store.settings,
        AITODAY_SMTP__HOST=smtp.host,
        AITODAY_SMTP__PORT=str(smtp.port),
        AITODAY_SMTP__STARTTLS="false",
    )
    assert "1 recipient" in aitoday_ok(env, "deliveries", "retry", edition.id)
    drain_here(mail_store)
    assert smtp.count_by_recipient()[address("email", 1)] == 1
    assert address("email", 2) not in smtp.count_by_recipient()
    assert repo.status(edition.id)["email"]["sent"] == 5


def test_line_sends_one_multicast_per_500_and_a_resent_chunk_is_not_delivered_twice(
    store: Store,
) -> None:
    line = FakeLine(token="line-test-token")
    with line.running() as host:
        line_settings = store.settings.line.model_copy(
            update={"api_base": host, "channel_access_token": _secret("line-test-token")}
        )
        line_store = _with(store, line=line_settings)
        edition = seed_edition(line_store, "line")
        subs = seed_subscribers(line_store, "line", 1200)
        batches = batches_for(line_store, edition, subs)
        enqueue_batches(line_store, batches, **FAST)
        drain_here(line_store)
        multicasts = line.calls_to("multicast")
        assert len([c for c in multicasts if c.status == 200]) == math.ceil(1200 / 500)
        assert all(len(line.delivered_to(address("line", n))) == 1 for n in range(1200))
        assert line.violations == []

        # A worker that died after LINE accepted a chunk but before the markers were
        # written: the chunk is in flight under a dead execution. The re-run resends it
        # with the same retry key and LINE answers 409: nobody receives it twice.
        repo = DeliveryRepo(line_store)
        first = batches[0]
        repo.record(
            edition.id, "line", {r.subscriber_id: "inflight|dead" for r in first.recipients}
        )
        enqueue_batches(line_store, [first.model_copy(update={"batch_no": 99})], **FAST)
        drain_here(line_store)
        assert all(len(line.delivered_to(address("line", n))) == 1 for n in range(1200))
        assert any(c.status == 409 for c in line.calls_to("multicast"))
        assert repo.status(edition.id)["line"]["sent"] == 1200


def test_slack_gone_channels_are_marked_and_the_rest_delivered(store: Store) -> None:
    slack = FakeSlack({"xoxb-test": "T0TEST"})
    with slack.running() as base:
        slack_settings = store.settings.slack.model_copy(
            update={"api_base": base, "bot_token": _secret("xoxb-test")}
        )
        slack_store = _with(store, slack=slack_settings)
        edition = seed_edition(slack_store, "slack")
        subs = seed_subscribers(slack_store, "slack", 8)
        slack.set_channel("C00000003", archived=True)
        enqueue_batches(slack_store, batches_for(slack_store, edition, subs), **FAST)
        drain_here(slack_store)
        status = DeliveryRepo(slack_store).status(edition.id)["slack"]
        assert (status["sent"], status["gone"]) == (7, 1)
        gone = SubscriberRepo(slack_store).get(subs[3].id)
        assert gone is not None
        assert gone.channels[0].status == ChannelStatus.REVOKED
        assert slack.violations == []


def _secret(value: str) -> object:
    from pydantic import SecretStr

    return SecretStr(value)


def test_line_quota_shortfall_is_deferred_then_sent_by_deliveries_retry(store: Store) -> None:
    from click.testing import CliRunner

    from workers.cli import cli

    line = FakeLine(token="line-test-token", quota=100)
    with line.running() as host:
        line_settings = store.settings.line.model_copy(
            update={"api_base": host, "channel_access_token": _secret("line-test-token")}
        )
        line_store = _with(store, line=line_settings)
        edition = seed_edition(line_store, "line")
        subs = seed_subscribers(line_store, "line", 150)
        enqueue_batches(line_store, batches_for(line_store, edition, subs), **FAST)
        drain_here(line_store)
        repo = DeliveryRepo(line_store)
        status = repo.status(edition.id)["line"]
        assert (status["sent"], status["deferred"], status["pending"]) == (100, 50, 0)

        runner = CliRunner()
        env = {
            "AITODAY_REDIS_URL": line_store.settings.redis_url or "",
            "AITODAY_KEY_PREFIX": line_store.settings.key_prefix,
            "AITODAY_SECRET_KEY": "test-secret-key-not-for-production",
            "AITODAY_DATA_DIR": str(line_store.settings.data_dir),
        }
        shown = runner.invoke(cli, ["deliveries", "status", edition.id], env=env)
        assert shown.exit_code == 0, shown.output
        assert "deferred" in shown.output.splitlines()[0]
        assert shown.output.splitlines()[1].split() == [
            "line",
            "100",
            "0",
            "0",
            "50",
            "0",
            "0",
            "0",
        ]

        line.set_quota(1000, used=100)  # next month, or a bigger plan
        retried = runner.invoke(cli, ["deliveries", "retry", edition.id], env=env)
        assert retried.exit_code == 0, retried.output
        assert "50 recipient(s)" in retried.output
        drain_here(line_store)
        assert repo.status(edition.id)["line"]["sent"] == 150
        assert all(len(line.delivered_to(address("line", n))) == 1 for n in range(150))


def test_a_full_mailbox_bounces_only_when_three_editions_in_a_row_meet_it(
    mail_store: Store, smtp: FakeSMTP
) -> None:
    from core.store.editions import EditionRepo
    from workers.jobs import STRIKES_TO_GONE

    first = seed_edition(mail_store, "email")
    subs = seed_subscribers(mail_store, "email", 2)
    full = subs[1]
    seen: list[tuple[str, ChannelStatus]] = []
    # refused, refused, accepted (the count starts again), refused x3 -> bounced
    for n, refused in enumerate([True, True, False, True, True, True]):
        edition = first.model_copy(update={"id": f"{first.id}e{n}"})
        EditionRepo(mail_store).save(edition)
        if refused:
            smtp.refuse(address("email", 1), 552)
        else:
            smtp.accept(address("email", 1))
        enqueue_batches(mail_store, batches_for(mail_store, edition, subs), **FAST)
        drain_here(mail_store)
        marker = DeliveryRepo(mail_store).marker(edition.id, "email", full.id) or ""
        sub = SubscriberRepo(mail_store).get(full.id)
        assert sub is not None
        seen.append((marker.partition("|")[0], sub.channels[0].status))
    active, bounced = ChannelStatus.ACTIVE, ChannelStatus.BOUNCED
    assert STRIKES_TO_GONE == 3
    assert seen == [
        ("failed", active),  # retried within the edition (one strike per edition)
        ("failed", active),
        ("sent", active),
        ("failed", active),
        ("failed", active),
        ("gone", bounced),
    ]
    assert smtp.count_by_recipient()[address("email", 0)] == 6  # the other reader: each one


def test_a_last_retry_leaves_alone_what_a_live_execution_holds(
    mail_store: Store, smtp: FakeSMTP
) -> None:
    from workers.fanout import job_payload
    from workers.jobs import configure, deliver_batch

    edition = seed_edition(mail_store, "email")
    subs = seed_subscribers(mail_store, "email", 2)
    [batch] = batches_for(mail_store, edition, subs)
    repo = DeliveryRepo(mail_store)
    repo.hold_lease("alive", 60)
    assert repo.claim(edition.id, "email", [subs[0].id], "alive") == [subs[0].id]
    configure(mail_store.settings, mail_store)
    # no retry left to follow up with: it sends its own and leaves the held one be
    tally = deliver_batch(job_payload(batch), attempt=2, backoff=[0.0, 0.0])
    assert tally["sent"] == 1 and sum(tally.values()) == 1
    assert repo.marker(edition.id, "email", subs[0].id) == "inflight|alive"
    assert set(smtp.count_by_recipient()) == {address("email", 1)}
