"""A Slack digest thread through the real delivery job (RQ, Redis, the fake Slack API).

A thread cut short by a 429 that outlasts slack_sdk's one wait is TRANSIENT; the job's
retry resumes it where it stopped (the parent's ts and the replies posted are kept beside
the delivery markers), so each channel ends with one digest message and every reply
once. A batch enqueued again after it finished posts nothing.
"""

from __future__ import annotations

from pydantic import SecretStr

from core.store.base import Store
from core.store.deliveries import DeliveryRepo
from tests.fakes.slack_api import FakeSlack
from tests.workers.run import drain_here
from tests.workers.seed import batches_for, seed_edition, seed_subscribers
from workers.fanout import enqueue_batches

FAST = {"lease_seconds": 2, "backoff": [0.0, 0.0]}


def _slack_store(store: Store, api_base: str) -> Store:
    slack = store.settings.slack.model_copy(
        update={"api_base": api_base, "bot_token": SecretStr("xoxb-test")}
    )
    settings = store.settings.model_copy(update={"slack": slack})
    return Store(redis=store.redis, keys=store.keys, settings=settings)


def _thread(slack: FakeSlack, channel: str) -> tuple[int, list[str]]:
    parents = slack.parents(channel)
    replies = [c.args["text"][:2] for p in parents for c in slack.thread(channel, p.response["ts"])]
    return len(parents), replies


def test_a_thread_cut_by_a_429_is_resumed_by_the_jobs_retry_with_one_parent(
    store: Store,
) -> None:
    slack = FakeSlack({"xoxb-test": "T0TEST"}, spacing=1.0)  # Slack's pace, checked
    # the second channel: parent and reply 1 go out, reply 2 is refused twice (sdk gives up)
    slack.rate_limit("chat.postMessage", retry_after=0, times=2, channel="C00000001", after=2)
    with slack.running() as base:
        slack_store = _slack_store(store, base)
        edition = seed_edition(slack_store, "slack")
        subs = seed_subscribers(slack_store, "slack", 3)
        batches = batches_for(slack_store, edition, subs)
        enqueue_batches(slack_store, batches, **FAST)
        drain_here(slack_store)
        status = DeliveryRepo(slack_store).status(edition.id)["slack"]
        assert (status["sent"], status["pending"]) == (3, 0)
        for n in range(3):
            assert _thread(slack, f"C{n:08d}") == (1, ["1.", "2.", "3."])
        cut = [c for c in slack.calls_to("chat.postMessage") if c.status == 429]
        assert len(cut) == 2  # the retry really happened

        posted = len(slack.messages())
        enqueue_batches(slack_store, batches, **FAST)  # a second enqueue of the same batch
        drain_here(slack_store)
        assert len(slack.messages()) == posted
    assert slack.violations == []
