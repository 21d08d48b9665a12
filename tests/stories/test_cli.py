"""``aitoday cluster`` and ``aitoday stories`` run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.config import Settings
from core.store.base import Store
from core.stories.service import update_stories
from tests.stories.test_service import article, sources
from workers.cli import cli

LINES = [
    {"id": "1", "title": "Anthropic releases Claude 5 with a 1M-token context window",
     "url": "https://a.example/1", "source": "a", "published": "2026-08-03T09:00:00Z"},
    {"id": "2", "title": "Claude 5 is here: Anthropic's new model gets a 1M token context",
     "url": "https://b.example/2", "source": "b", "published": "2026-08-03T10:00:00+00:00",
     "summary": "Anthropic released Claude 5."},
    {"id": "3", "title": "Nvidia reports record data-center revenue",
     "url": "https://c.example/3", "source": "c", "published": 1785747600},
]  # fmt: skip


def env(settings: Settings) -> dict[str, str]:
    return {
        "AITODAY_REDIS_URL": settings.redis_url or "",
        "AITODAY_KEY_PREFIX": settings.key_prefix,
        "AITODAY_DATA_DIR": str(settings.data_dir),
    }


def test_cluster_writes_one_line_per_article_in_input_order(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in LINES) + "\n\n")
    result = CliRunner().invoke(cli, ["cluster", str(path)], env=env(settings))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["story_id"] == rows[1]["story_id"] != rows[2]["story_id"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 1: not JSON"),
        ('{"id": "1"}', "line 1: title: is required"),
        ('{"id":"1","title":"t","url":"u","source":"s","published":"yesterday"}',
         "line 1: published: 'yesterday' is not ISO 8601"),
    ],
)  # fmt: skip
def test_cluster_refuses_bad_lines_with_a_clear_message(
    tmp_path: Path, settings: Settings, line: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    result = CliRunner().invoke(cli, ["cluster", str(path)], env=env(settings))
    assert result.exit_code != 0
    assert message in str(result.exception)


def test_stories_lists_explains_and_prints_json(store: Store, settings: Settings) -> None:
    sources(store)
    update_stories(
        store,
        [
            article("1", "Anthropic releases Claude 5 with a 1M-token context window", "wire"),
            article("2", "Claude 5 is here: Anthropic's new model gets 1M token context", "blog"),
            article("3", "Nvidia reports record data-center revenue", "blog"),
        ],
    )
    runner = CliRunner()
    plain = runner.invoke(cli, ["stories", "--explain"], env=env(settings))
    assert plain.exit_code == 0, plain.output
    assert "Anthropic releases Claude 5" in plain.output
    assert "recency" in plain.output and "authority" in plain.output
    as_json = runner.invoke(cli, ["stories", "--json", "--limit", "1", "--explain"],
                            env=env(settings))  # fmt: skip
    rows = [json.loads(line) for line in as_json.output.splitlines()]
    assert len(rows) == 1 and rows[0]["sources"] == 2
    assert set(rows[0]["score_parts"]) >= {"authority", "recency", "velocity", "total"}
