"""``aitoday deliveries status`` without an edition: today's editions with their counts."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from core.store.base import Store
from tests.workers.run import drain_here
from tests.workers.seed import batches_for, seed_edition, seed_subscribers
from workers.fanout import enqueue_batches


def _status(store: Store, *args: str) -> Result:
    from workers.cli import cli

    env = {
        "AITODAY_REDIS_URL": store.settings.redis_url or "",
        "AITODAY_KEY_PREFIX": store.settings.key_prefix,
        "AITODAY_SECRET_KEY": "test-secret-key-not-for-production",
        "AITODAY_DATA_DIR": str(store.settings.data_dir),
        "AITODAY_DIGEST__OUTBOX_DIR": str(store.settings.digest.outbox_dir),
    }
    return CliRunner().invoke(cli, ["deliveries", "status", *args], env=env)


def test_without_an_edition_it_lists_todays_editions_with_their_counts(store: Store) -> None:
    edition = seed_edition(store, "email")
    subs = seed_subscribers(store, "email", 3)
    enqueue_batches(store, batches_for(store, edition, subs))
    drain_here(store)

    shown = _status(store)
    assert shown.exit_code == 0, shown.output
    header, row = shown.output.splitlines()
    assert header.split()[:3] == ["edition", "channel", "lang"] and "sent" in header
    cells = row.split()
    assert cells[:3] == [edition.id, "email", "en"]
    assert cells[-7:] == ["3", "0", "0", "0", "0", "0", "0"]  # sent ... skipped

    (listed,) = json.loads(_status(store, "--json").output)
    assert listed["edition"] == edition.id and listed["counts"]["sent"] == 3


def test_without_editions_it_says_so(store: Store) -> None:
    shown = _status(store)
    assert shown.exit_code == 0, shown.output
    assert shown.output.strip() == "no editions in the last 24 hours"
