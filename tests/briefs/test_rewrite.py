"""Why a brief is extractive, and ``aitoday brief --rewrite`` (real process, fake LLM)."""

from __future__ import annotations

import json

from core.store.base import Store
from core.store.stories import StoryRepo
from tests.briefs.builders import LAB_ARTICLES, save, story_of
from tests.briefs.test_cli import run_cli
from tests.fakes.llm import FakeLLM
from tests.fakes.server import free_port


def _model_env(api_base: str) -> dict[str, str]:
    return {
        "AITODAY_LLM__MODEL": "openai/gpt-4o-mini",
        "AITODAY_LLM__API_BASE": api_base,
        "AITODAY_LLM__API_KEY": "sk-rewrite-test-key-98765",
        "AITODAY_LLM__MAX_RETRIES": "0",
        "AITODAY_LLM__TIMEOUT": "5",
    }


def _story(store: Store) -> str:
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES)
    StoryRepo(store).save(story)
    return story.id


def test_no_model_says_so(store: Store) -> None:
    story_id = _story(store)

    shown = run_cli(store, story_id)
    data = json.loads(run_cli(store, story_id, "--json").stdout)

    assert shown.returncode == 0, shown.stderr
    assert "extractive: no model configured (AITODAY_LLM__MODEL is unset)" in shown.stdout
    assert data["fallback"]["reason"] == "no_model"


def test_failed_call_is_explained_then_rewritten_once_the_model_answers(
    store: Store, llm: tuple[FakeLLM, str]
) -> None:
    fake, api_base = llm
    fake.script("gpt-4o-mini", "rate_limit", "valid")  # down first, then up
    story_id = _story(store)
    env = _model_env(api_base)

    first = run_cli(store, story_id, **env)
    held = run_cli(store, story_id, "--json", **env)
    calls_while_held = len(fake.calls)
    rewritten = run_cli(store, story_id, "--rewrite", **env)
    after = json.loads(run_cli(store, story_id, "--json", **env).stdout)

    assert first.returncode == 0, first.stderr
    assert "[extractive" in first.stdout
    assert "extractive: LLM call failed: RateLimitError" in first.stdout
    assert "the model is asked again after" in first.stdout
    assert f"aitoday brief {story_id} --rewrite" in first.stdout
    fallback = json.loads(held.stdout)["fallback"]
    assert fallback["reason"] == "llm_error" and fallback["retry_at"]
    assert calls_while_held == 1  # the failure holds the model off for a few minutes
    assert rewritten.returncode == 0, rewritten.stderr
    assert "llm · openai/gpt-4o-mini" in rewritten.stdout
    assert "extractive:" not in rewritten.stdout
    assert after["brief"]["generator"]["kind"] == "llm" and after["fallback"] is None
    assert "sk-rewrite-test-key-98765" not in first.stdout + first.stderr


def test_a_changed_api_base_is_asked_at_once(store: Store, llm: tuple[FakeLLM, str]) -> None:
    fake, api_base = llm
    fake.script("gpt-4o-mini", "valid")
    story_id = _story(store)

    down = run_cli(store, story_id, **_model_env(f"http://127.0.0.1:{free_port()}/v1"))
    up = run_cli(store, story_id, **_model_env(api_base))

    assert "extractive: LLM call failed:" in down.stdout
    assert "llm · openai/gpt-4o-mini" in up.stdout


def test_rewrite_today_rewrites_the_days_briefs_with_the_new_model(
    store: Store, llm: tuple[FakeLLM, str]
) -> None:
    fake, api_base = llm
    fake.script("gpt-4o-mini", "valid")
    story_id = _story(store)
    run_cli(store, story_id)  # extractive, no model yet
    run_cli(store, story_id, "--lang", "ja")

    result = run_cli(store, "--rewrite", "--today", **_model_env(api_base))
    misuse = run_cli(store, "--today")

    assert result.returncode == 0, result.stderr
    assert f"{story_id} en: llm · openai/gpt-4o-mini" in result.stdout
    assert f"{story_id} ja: llm · openai/gpt-4o-mini" in result.stdout
    assert "rewrote 2 brief(s): 2 by the model, 0 extractive" in result.stdout
    assert len(fake.calls) == 2
    assert misuse.returncode == 2 and "--today goes with --rewrite" in misuse.stderr
