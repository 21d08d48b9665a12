"""The brief cache key and the daily LLM budget.

A brief is stored under ``brief_key(story, writer, prompt version, language)``: the same
articles, written by the same model with the same prompt, for the same language, are
never sent to the LLM twice. A story that gains or loses an article gets a new key (and a
new brief); editions already built keep pointing at the old one. litellm's own cache is
not used: in 1.110 its first cache hit raises ModuleNotFoundError (fastapi, then orjson).
"""

from __future__ import annotations

from datetime import datetime

from core.briefs.schema import EXTRACTIVE_VERSION, PROMPT_VERSION
from core.models import Story, Usage, short_hash, utcnow
from core.store.briefs import BriefRepo

EXTRACTIVE = "extractive"


def brief_key(story: Story, writer: str, prompt_version: str, language: str) -> str:
    """Hash of the story's article set, the writer (model name), prompt version, language."""
    return short_hash(story.id, story.article_set_hash(), writer, prompt_version, language)


def llm_key(story: Story, model: str, language: str) -> str:
    """Where the LLM brief of ``story`` in ``language`` by ``model`` lives."""
    return brief_key(story, model, PROMPT_VERSION, language)


def extractive_key(story: Story, language: str) -> str:
    """Where the extractive brief of ``story`` for a ``language`` reader lives."""
    return brief_key(story, EXTRACTIVE, EXTRACTIVE_VERSION, language)


def today(now: datetime | None = None) -> str:
    """The UTC day spend is counted under."""
    return (now or utcnow()).date().isoformat()


def over_budget(repo: BriefRepo, daily_budget_usd: float, now: datetime | None = None) -> bool:
    """True once today's LLM spend has reached the daily budget."""
    return repo.spend(today(now)).cost_usd >= daily_budget_usd


class SpendMeter:
    """The daily budget for LLM uses besides briefs (title embeddings): a call is made
    only while the day's spend is under the budget, and what it cost is added to it."""

    def __init__(self, repo: BriefRepo, daily_budget_usd: float) -> None:
        self.repo = repo
        self.daily_budget_usd = daily_budget_usd

    def allows(self) -> bool:
        return not over_budget(self.repo, self.daily_budget_usd)

    def record(self, usage: Usage) -> None:
        self.repo.add_spend(today(), usage, calls=1)
