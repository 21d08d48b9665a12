"""``aitoday ingest`` and ``aitoday sources`` through click, against the fake publisher."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from core.errors import SourceError
from core.ingest.sources import load_opml
from core.models import Source
from core.store.base import Store
from core.store.sources import SourceRepo
from tests.fakes.publisher import Publisher, rss
from workers.cli import cli

ROOT = Path(__file__).resolve().parents[2]
FEED = rss("Lab blog", [("One", "https://lab.example/1"), ("Two", "https://lab.example/2")])


def run(store: Store, *args: str, private: bool = True) -> Result:
    env = {
        "AITODAY_REDIS_URL": store.settings.redis_url or "",
        "AITODAY_KEY_PREFIX": store.keys.prefix,
        "AITODAY_DATA_DIR": str(store.settings.data_dir),
        "AITODAY_FETCH__ALLOW_PRIVATE": "true" if private else "false",
    }
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=True)


@pytest.fixture
def empty(store: Store) -> Store:
    """A store where the shipped defaults count as seeded already."""
    store.redis.set(store.keys.sources_seeded(), "1")
    return store


def test_ingest_json_from_an_opml_file(
    empty: Store, publisher: tuple[Publisher, str], tmp_path: Path
) -> None:
    pub, base = publisher
    pub.put("lab.xml", FEED.encode())
    opml = tmp_path / "s.opml"
    opml.write_text(
        f'<opml version="2.0"><body><outline text="Lab" xmlUrl="{base}/feeds/lab.xml"/>'
        f'<outline text="Dead" xmlUrl="{base}/gone"/></body></opml>'
    )
    result = run(empty, "ingest", "--sources", str(opml), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["sources"] == 2
    assert report["new_articles"] == 2
    assert report["failed"] == [{"source": "dead", "reason": "HTTP 410 Gone"}]
    assert "articles" not in report
    assert isinstance(report["stories_updated"], int)  # clustered afterwards
    text = run(empty, "ingest", "--sources", str(opml))
    assert text.exit_code == 0
    assert "not_modified  1" in text.output
    assert "failed   dead: HTTP 410 Gone" in text.output


def test_sources_add_checks_the_feed(empty: Store, publisher: tuple[Publisher, str]) -> None:
    pub, base = publisher
    pub.put("lab.xml", FEED.encode())
    added = run(empty, "sources", "add", f"{base}/feeds/lab.xml", "--category", "lab")
    assert added.exit_code == 0, added.output
    assert "added lab-blog: Lab blog (2 items now)" in added.output
    source = SourceRepo(empty).get("lab-blog")
    assert source is not None and source.added_by_user

    again = run(empty, "sources", "add", f"{base}/feeds/lab.xml")
    assert isinstance(again.exception, SourceError)
    assert "already source 'lab-blog'" in str(again.exception)

    page = run(empty, "sources", "add", f"{base}/html")
    assert isinstance(page.exception, SourceError)
    assert str(page.exception).endswith("not a feed: the URL serves an HTML page")

    scheme = run(empty, "sources", "add", "file:///etc/passwd")
    assert "only http:// and https://" in str(scheme.exception)

    private = run(empty, "sources", "add", f"{base}/feeds/other.xml", private=False)
    assert isinstance(private.exception, SourceError)
    assert "private or reserved" in str(private.exception)

    listing = run(empty, "sources", "list")
    assert listing.exit_code == 0
    assert "lab-blog" in listing.output and "lab " in listing.output


def test_import_export_remove_enable(empty: Store, tmp_path: Path) -> None:
    small = Path(__file__).parent / "data" / "small.opml"
    first = run(empty, "sources", "import", str(small))
    assert first.output.strip() == "imported 5 sources, skipped 0 already known"
    again = run(empty, "sources", "import", str(small))
    assert again.output.strip() == "imported 0 sources, skipped 5 already known"
    exported = run(empty, "sources", "export")
    assert {s.url for s in load_opml(exported.output.encode())} == {
        s.url for s in load_opml(small.read_bytes())
    }
    repo = SourceRepo(empty)
    repo.put(Source(id="off", url="https://off.example/", title="Off", enabled=False))
    assert run(empty, "sources", "enable", "off").exit_code == 0
    off = repo.get("off")
    assert off is not None and off.enabled
    assert run(empty, "sources", "remove", "off").exit_code == 0
    assert run(empty, "sources", "remove", "off").exit_code != 0


def test_redis_down_is_one_clear_line(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "AITODAY_REDIS_URL": "redis://127.0.0.1:1/0",
        "AITODAY_DATA_DIR": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "workers.cli", "ingest", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("aitoday: cannot reach Redis at redis://127.0.0.1:1/0")
