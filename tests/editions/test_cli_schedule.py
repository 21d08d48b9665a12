"""``aitoday schedule`` through the real CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from core.config import Settings
from core.errors import ValidationError
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo
from tests.editions.test_tick import make_story
from tests.workers.run import drain_here
from workers.cli import cli
from workers.cli.schedule import parse_instant


def test_parse_instant() -> None:
    assert parse_instant("2026-11-28T07:30+09:00") == datetime(2026, 11, 27, 22, 30, tzinfo=UTC)
    assert parse_instant("2026-11-28T07:30") == datetime(2026, 11, 28, 7, 30, tzinfo=UTC)
    with pytest.raises(ValidationError) as info:
        parse_instant("tomorrow")
    assert info.value.field == "at"


def test_dry_run_lists_who_gets_what(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        StoryRepo(store).save(make_story(n))
    sub = new_subscriber(email="ann@example.com", timezone="Asia/Tokyo", delivery_time="07:30",
                         now=datetime(2026, 11, 27, 12, 0, tzinfo=UTC))  # fmt: skip
    SubscriberRepo(store).add(sub, now=datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    monkeypatch.setenv("AITODAY_REDIS_URL", settings.redis_url or "")
    monkeypatch.setenv("AITODAY_KEY_PREFIX", settings.key_prefix)
    monkeypatch.setenv("AITODAY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("AITODAY_SECRET_KEY", "test-secret-key-not-for-production")
    args = ["schedule", "--at", "2026-11-28T07:30+09:00", "--dry-run"]
    out = CliRunner().invoke(cli, args).output
    assert sub.id in out and "ann@example.com" in out and "story000" in out
    data = json.loads(CliRunner().invoke(cli, [*args, "--json"]).stdout)
    assert data["due"] == 1 and data["dry_run"] is True
    assert data["plan"][0]["channel"] == "email"
    assert SubscriberRepo(store).next_due(sub.id) == datetime(2026, 11, 27, 22, 30, tzinfo=UTC)


def test_schedule_builds_enqueues_and_a_worker_delivers(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole path: schedule -> fan-out queue -> real worker -> e-mail in the outbox."""
    for n in range(3):
        StoryRepo(store).save(make_story(n))
    created = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    sub = new_subscriber(email="ann@example.com", timezone="Asia/Tokyo", now=created)
    SubscriberRepo(store).add(sub, now=created)
    monkeypatch.setenv("AITODAY_REDIS_URL", settings.redis_url or "")
    monkeypatch.setenv("AITODAY_KEY_PREFIX", settings.key_prefix)
    monkeypatch.setenv("AITODAY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("AITODAY_SECRET_KEY", "test-secret-key-not-for-production")
    monkeypatch.setenv("AITODAY_DIGEST__OUTBOX_DIR", str(settings.digest.outbox_dir))
    args = ["schedule", "--at", "2026-11-28T07:30+09:00", "--json"]
    data = json.loads(CliRunner().invoke(cli, args).stdout)
    assert (data["due"], data["enqueued"], data["recipients"]) == (1, 1, 1)
    drain_here(store)
    mails = [p for p in settings.digest.outbox_dir.rglob("*") if p.is_file()]
    assert any(b"ann@example.com" in p.read_bytes() for p in mails)
    again = json.loads(CliRunner().invoke(cli, args).stdout)
    assert (again["due"], again["enqueued"]) == (0, 0)
