"""Article extraction (core.ingest.extract) and ``aitoday extract``."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from core.ingest.extract import MAX_PAGE_BYTES, extract_page
from core.store.base import Store
from tests.fakes.publisher import Publisher, article_page
from workers.cli import cli

PARAGRAPHS = [
    "A chip maker said on Monday it would build a second plant for AI accelerators.",
    "The company expects the plant to double its output by 2028, executives told analysts "
    "on a call, adding that customers had already reserved most of the first year.",
    "Regulators still have to approve the site, and a decision is expected in the spring.",
]
PAGE = article_page("Chip maker plans a second plant", PARAGRAPHS, image="/img/plant.jpg")


def test_a_page_gives_text_and_metadata() -> None:
    page = extract_page(PAGE, "https://news.example/2026/plant")
    assert page.ok and page.error is None
    assert "customers had already reserved" in page.text
    assert "All rights reserved" not in page.text  # the footer is not the article
    assert not page.text.startswith("Chip maker plans")  # the headline is not the body
    assert page.title == "Chip maker plans a second plant"
    assert page.image == "https://news.example/img/plant.jpg"  # made absolute
    assert page.language == "en"
    assert page.author == "Ada Reporter"
    assert page.published == datetime(2026, 8, 20, 8, 30, tzinfo=UTC)


def test_gzip_input_is_inflated() -> None:
    assert extract_page(gzip.compress(PAGE), "https://news.example/a").text == (
        extract_page(PAGE, "https://news.example/a").text
    )


def test_bad_input_is_a_value_with_a_reason() -> None:
    assert extract_page(b"", "u").error == "empty page"
    assert extract_page(b"  \n", "u").error == "empty page"
    assert extract_page(b"\x1f\x8b not gzip", "u").error == "broken gzip data"
    assert extract_page(b"\x00\x01\xff binary", "u").error == "no main text found"
    huge = b"<html><body><p>" + b"word " * (MAX_PAGE_BYTES // 5 + 1) + b"</p></body></html>"
    assert extract_page(huge, "u").error == f"page larger than {MAX_PAGE_BYTES} bytes"
    assert not extract_page(b"", "u").ok


def _invoke(store: Store, *args: str) -> list[dict[str, object]]:
    env = {
        "AITODAY_REDIS_URL": store.settings.redis_url or "",
        "AITODAY_KEY_PREFIX": store.keys.prefix,
        "AITODAY_DATA_DIR": str(store.settings.data_dir),
        "AITODAY_FETCH__ALLOW_PRIVATE": "true",
    }
    result = CliRunner().invoke(cli, ["extract", *args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_cli_on_a_local_html_gz_file_and_a_url(
    store: Store, tmp_path: Path, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    pub.put_page("plant", PAGE)
    path = tmp_path / "plant.html.gz"
    path.write_bytes(gzip.compress(PAGE))
    url = f"{base}/articles/plant"
    local, remote, missing = _invoke(store, str(path), url, f"{base}/articles/none")
    assert local["input"] == str(path)
    assert {"input", "title", "text", "language", "image", "published"} <= set(local)
    assert local["title"] == "Chip maker plans a second plant"
    assert "reserved most of the first year" in str(local["text"])
    assert local["published"] == "2026-08-20T08:30:00+00:00"
    assert remote["input"] == url and remote["text"] == local["text"]
    assert remote["image"] == f"{base}/img/plant.jpg"
    assert missing["error"] == "HTTP 404 Not Found" and missing["text"] == ""
