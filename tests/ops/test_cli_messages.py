"""The CLI speaks one way: ``aitoday: ...`` errors, plain words, no log noise, short reports."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from core.config import Settings, load_settings
from core.ingest.parse import parse_feed
from core.ingest.report import IngestReport
from workers.cli.context import log_level
from workers.cli.ingest import summary_lines
from workers.cli.users import next_digest

ROOT = Path(__file__).resolve().parents[2]


def _aitoday(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AITODAY_")}
    env.update(
        AITODAY_REDIS_URL=str(settings.redis_url),
        AITODAY_KEY_PREFIX=settings.key_prefix,
        AITODAY_DATA_DIR=str(settings.data_dir),
        PYTHONPATH=str(ROOT),
    )
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_command_error_is_one_aitoday_line(settings: Settings) -> None:
    done = _aitoday(settings, "sources", "remove", "no-such-id")
    assert done.returncode == 1
    assert done.stderr == "aitoday: no source 'no-such-id'\n"
    assert done.stdout == ""


def test_a_usage_error_shows_usage_then_an_aitoday_line(settings: Settings) -> None:
    done = _aitoday(settings, "users", "add", "--bogus")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("Usage: ")
    assert lines[-1] == "aitoday: No such option '--bogus'."
    assert "Error:" not in done.stderr


def test_one_shot_commands_log_warnings_only_unless_a_level_is_set(tmp_path: Path) -> None:
    default = load_settings(data_dir=tmp_path)
    assert log_level(default, service=False) == "WARNING"
    assert log_level(default, service=True) == "INFO"
    assert log_level(load_settings(data_dir=tmp_path, log={"level": "INFO"}), service=False) == (
        "INFO"
    )
    assert log_level(load_settings(data_dir=tmp_path, log={"level": "ERROR"}), service=False) == (
        "ERROR"
    )


def test_offline_ingest_is_one_line_not_one_per_source() -> None:
    failed = [
        {"source": f"s{n}", "reason": f"cannot resolve feed{n}.example: Name or service not known"}
        for n in range(324)
    ]
    failed.append({"source": "dead", "reason": "HTTP 410 Gone"})
    report = IngestReport(sources=325, failed=failed)
    lines = [line for line in summary_lines(report) if line.startswith("  failed")]
    assert lines == [
        "  failed   324 sources unreachable: no DNS? (s0, s1, s2 and 321 more; --json lists each)",
        "  failed   dead: HTTP 410 Gone",
    ]
    assert "failed        325" in summary_lines(report)


def test_not_a_feed_says_what_was_found_not_the_parser_text() -> None:
    def error(body: bytes) -> str | None:
        parsed = parse_feed(
            body,
            url="https://lab.example/feed",
            content_type=None,
            source_id="lab",
            language="en",
            fetched=datetime.now(UTC),
        )
        return parsed.error

    broken = error(b'<?xml version="1.0"?>\n<note><to>x</note>')
    assert broken == "not a feed: the URL serves XML that does not parse, not RSS or Atom"
    assert error(b"\n<p>Welcome</p><div>") == ("not a feed: the URL serves HTML, not RSS or Atom")
    assert error(b'{"items": []}') == "not a feed: the URL serves JSON, not RSS or Atom"


def test_help_lists_whole_command_descriptions() -> None:
    from click.testing import CliRunner

    from workers.cli import cli

    for args in (["--help"], ["users", "--help"], ["sources", "--help"]):
        shown = CliRunner().invoke(cli, args, terminal_width=80)
        assert shown.exit_code == 0, shown.output
        commands = shown.output.split("Commands:", 1)[1]
        assert "..." not in commands.replace("slack.items=10 ...", ""), commands
    top = CliRunner().invoke(cli, ["--help"], terminal_width=80).output
    assert "not fail the run." in " ".join(top.split())


def test_users_add_shows_the_next_digest_in_both_zones_and_says_when_it_assumed_utc(
    settings: Settings,
) -> None:
    tokyo = _aitoday(settings, "users", "add", "--email", "ann@example.com", "--tz", "Asia/Tokyo")
    assert tokyo.returncode == 0, tokyo.stderr
    assert re.search(
        r"next digest \d{4}-\d\d-\d\d 22:30 UTC \(\w{3} \d{1,2} \w{3} 07:30 Asia/Tokyo\)$",
        tokyo.stdout.strip(),
    ), tokyo.stdout
    assert "assumed" not in tokyo.stdout
    utc = _aitoday(settings, "users", "add", "--email", "bob@example.com")
    assert utc.returncode == 0, utc.stderr
    assert "time zone: UTC assumed (07:30 UTC); --tz Asia/Tokyo sets one" in utc.stdout


def test_next_digest_reads_in_the_subscribers_zone() -> None:
    due = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)
    assert next_digest(due, "Asia/Tokyo") == "2026-12-03 22:30 UTC (Fri 4 Dec 07:30 Asia/Tokyo)"
    assert next_digest(due, "UTC") == "2026-12-03 22:30 UTC"
    assert next_digest(None, "UTC") == "never (no active channel)"
