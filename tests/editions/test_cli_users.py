"""``aitoday users`` through the real CLI, against the test's Redis prefix."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from core.config import Settings
from core.store.base import Store
from core.store.subscribers import SubscriberRepo
from workers.cli import cli


@pytest.fixture
def run(settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AITODAY_REDIS_URL", settings.redis_url or "")
    monkeypatch.setenv("AITODAY_KEY_PREFIX", settings.key_prefix)
    monkeypatch.setenv("AITODAY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("AITODAY_SECRET_KEY", "test-secret-key-not-for-production")

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, list(args))
        # Errors we raise on purpose surface as the entry point prints them.
        error = f"aitoday: {result.exception}" if result.exception else ""
        return result.exit_code, result.output + error

    return invoke


def test_add_show_set_export_delete(run, store: Store) -> None:  # type: ignore[no-untyped-def]
    code, out = run(
        "users", "add", "--email", "ann@example.com", "--slack", "T1/C2",
        "--tz", "Asia/Tokyo", "--time", "07:30", "--lang", "ja", "--json",
    )  # fmt: skip
    assert code == 0, out
    sub_id = json.loads(out)["id"]
    code, out = run("users", "set", sub_id, "time=06:15", "slack.items=10", "quiet=22:00-07:00")
    assert code == 0, out
    sub = SubscriberRepo(store).require(sub_id)
    assert sub.delivery_time == "06:15"
    assert sub.channels[1].max_items == 10
    code, out = run("users", "list")
    assert sub_id in out and "ann@example.com" in out
    code, out = run("users", "list", "--json")
    assert json.loads(out.splitlines()[0])["id"] == sub_id
    code, out = run("users", "export", sub_id)
    assert json.loads(out)["subscriber"]["timezone"] == "Asia/Tokyo"
    code, out = run("users", "delete", sub_id)
    assert code == 0 and SubscriberRepo(store).get(sub_id) is None
    code, out = run("users", "delete", sub_id)
    assert code != 0


def test_bad_input_names_the_field_and_stores_nothing(run, store: Store) -> None:  # type: ignore[no-untyped-def]
    code, out = run("users", "add", "--email", "ann@example.com", "--time", "25:99")
    assert code != 0
    assert "time" in out and "25:99" in out
    assert SubscriberRepo(store).count() == 0
    code, out = run("users", "add", "--email", "nope", "--tz", "Asia/Tokyo")
    assert code != 0 and "email" in out


def test_entry_point_prints_one_clear_line(run, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    args = ["users", "add", "--email", "ann@example.com", "--tz", "Mars/Base"]
    done = subprocess.run(
        [sys.executable, "-m", "workers.cli", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert done.stderr.strip().startswith("aitoday: timezone: unknown time zone 'Mars/Base'")
    assert "Traceback" not in done.stderr
