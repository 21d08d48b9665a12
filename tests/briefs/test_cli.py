"""``aitoday brief STORY_ID [--lang L] [--json]`` in a real process."""

from __future__ import annotations

import json
import subprocess

from core.store.base import Store
from tests.briefs.builders import LAB_ARTICLES, save, story_of
from tests.fakes.llm import FakeLLM
from tests.workers.cli_env import run_aitoday, store_env


def run_cli(store: Store, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    return run_aitoday("brief", *args, env={**store_env(store), **extra_env})


def test_brief_command_prints_the_brief_with_localised_headings(store: Store) -> None:
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES)
    store.redis.set(store.keys.story(story.id), story.model_dump_json())

    english = run_cli(store, story.id)
    japanese = run_cli(store, story.id, "--lang", "日本語")
    as_json = run_cli(store, story.id, "--lang", "ja", "--json")

    assert english.returncode == 0, english.stderr
    lines = english.stdout.splitlines()
    assert lines[0] == "Lab releases a smaller open model"
    for heading in ("Sources:", "Key takeaway", "What happened"):
        assert heading in lines
    assert "Why it matters" in lines  # extractive: a quoted sentence of that role
    assert japanese.returncode == 0, japanese.stderr
    assert "要点" in japanese.stdout and "情報源:" in japanese.stdout
    assert "翻訳されていません" in japanese.stdout
    data = json.loads(as_json.stdout)
    assert data["brief"]["language"] == "ja" and len(data["key"]) == 32


def test_unknown_story_and_language_are_one_clear_line(store: Store) -> None:
    missing = run_cli(store, "nosuchstory")
    bad_lang = run_cli(store, "nosuchstory", "--lang", "klingon")

    assert missing.returncode == 1 and "no story 'nosuchstory'" in missing.stderr
    assert "Traceback" not in missing.stderr
    assert bad_lang.returncode == 2 and "'klingon' is not a language we serve" in bad_lang.stderr


def test_brief_command_with_a_model_from_the_environment(
    store: Store, llm: tuple[FakeLLM, str]
) -> None:
    fake, api_base = llm
    fake.script("gpt-4o-mini", "rate_limit")
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES)
    store.redis.set(store.keys.story(story.id), story.model_dump_json())
    model_env = {
        "AITODAY_LLM__MODEL": "openai/gpt-4o-mini",
        "AITODAY_LLM__FALLBACKS": "openai/backup-model",
        "AITODAY_LLM__API_BASE": api_base,
        "AITODAY_LLM__API_KEY": "sk-cli-test-key-123456",
        "AITODAY_LLM__MAX_RETRIES": "0",
        "AITODAY_LLM__TIMEOUT": "10",
    }

    result = run_cli(store, story.id, "--lang", "ja", **model_env)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "研究所が小型のオープンモデルを公開"
    for heading in ("要点", "何が起きたか", "なぜ重要か", "今後の注目点", "よくある質問"):
        assert heading in lines
    assert "llm · openai/backup-model · brief-v2" in result.stdout
    assert [c.model for c in fake.calls] == ["gpt-4o-mini", "backup-model"]
    assert "sk-cli-test-key-123456" not in result.stderr + result.stdout
