"""Briefs in Redis: by content hash, the latest per story and language, and daily spend.

``BriefRepo(store)``: ``get(key)``, ``put(key, brief)``, ``latest(story_id, language)``,
``spend(day)``, ``add_spend(day, ...)``. A key is the hash made by
:func:`core.briefs.cache.brief_key`; editions refer to briefs by it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from core.models import Brief, Usage, utcnow
from core.store.base import Store
from core.store.keys import BRIEF_TTL, SPEND_TTL

# After a failed LLM attempt the extractive brief stands in for a while before the model
# is asked again, so a broken provider is not called on every tick. A call that failed
# (provider down, 429, timeout) is retried soon; an answer the guard refused twice cost
# money and would likely be refused again, so it waits longer.
RETRY_AFTER_LLM_ERROR = 300
RETRY_AFTER_FAILURE = 1800


@dataclass(frozen=True)
class Failure:
    """Why the LLM did not write a brief, and when it is asked again.

    ``config`` fingerprints the model settings it failed with: a changed model, API base
    or fallback list is asked at once (:func:`core.briefs.service.model_config`).
    """

    reason: str  # llm_error | invalid_output | guard (WriterFailed.reason)
    detail: str  # "RateLimitError: ..." (API keys and addresses scrubbed)
    at: datetime
    retry_at: datetime
    config: str

    @classmethod
    def after(cls, reason: str, detail: str, config: str, now: datetime | None = None) -> Failure:
        """A failure at ``now``, retried after the wait its reason calls for."""
        at = now or utcnow()
        wait = RETRY_AFTER_LLM_ERROR if reason == "llm_error" else RETRY_AFTER_FAILURE
        return cls(reason, detail[:300], at, at + timedelta(seconds=wait), config)

    def to_json(self) -> str:
        data = asdict(self)
        data.update(at=self.at.isoformat(), retry_at=self.retry_at.isoformat())
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: bytes | str) -> Failure | None:
        try:
            data = json.loads(raw)
            data.update(
                at=datetime.fromisoformat(data["at"]),
                retry_at=datetime.fromisoformat(data["retry_at"]),
            )
            return cls(**data)
        except (ValueError, KeyError, TypeError):  # a marker from before this record: "1"
            return None


@dataclass(frozen=True)
class Spend:
    """One day's LLM use."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0
    fallbacks: int = 0


class BriefRepo:
    """Every brief query, in one place."""

    def __init__(self, store: Store) -> None:
        self.redis = store.redis
        self.keys = store.keys

    def get(self, key: str) -> Brief | None:
        """The brief stored under ``key``, or None."""
        raw = self.redis.get(self.keys.brief(key))
        return Brief.model_validate_json(raw) if raw else None

    def get_many(self, keys: list[str]) -> dict[str, Brief]:
        """The briefs found among ``keys`` (missing ones are left out)."""
        if not keys:
            return {}
        raws = self.redis.mget([self.keys.brief(k) for k in keys])
        return {k: Brief.model_validate_json(r) for k, r in zip(keys, raws, strict=True) if r}

    def put(self, key: str, brief: Brief) -> None:
        """Store ``brief`` under ``key`` and mark it the latest of its story and language."""
        pipe = self.redis.pipeline()
        pipe.set(self.keys.brief(key), brief.model_dump_json(), ex=BRIEF_TTL)
        pipe.set(self.keys.brief_latest(brief.story_id, brief.language), key, ex=BRIEF_TTL)
        pipe.execute()

    def latest(self, story_id: str, language: str) -> tuple[str, Brief] | None:
        """The newest brief of a story in a language, with its key (for the brief page)."""
        raw_key = self.redis.get(self.keys.brief_latest(story_id, language))
        if not raw_key:
            return None
        key = _text(raw_key)
        brief = self.get(key)
        return (key, brief) if brief is not None else None

    def latest_keys(self, story_ids: list[str], language: str) -> list[str | None]:
        """The newest brief key of each story in ``language`` (None where none), one MGET."""
        if not story_ids:
            return []
        found = self.redis.mget([self.keys.brief_latest(i, language) for i in story_ids])
        return [_text(key) if key else None for key in found]

    def languages_written(self, story_id: str, languages: list[str]) -> list[str]:
        """Those of ``languages`` this story has a newest brief in (one MGET)."""
        found = self.redis.mget([self.keys.brief_latest(story_id, lang) for lang in languages])
        return [lang for lang, key in zip(languages, found, strict=True) if key]

    def mark_failed(self, key: str, failure: Failure) -> None:
        """Remember why the LLM could not write ``key``, until ``failure.retry_at``."""
        seconds = max(1, int((failure.retry_at - failure.at).total_seconds()))
        self.redis.set(self.keys.brief_failed(key), failure.to_json(), ex=seconds)

    def failure(self, key: str) -> Failure | None:
        """The recent failed LLM attempt at ``key``, while it holds the model off."""
        raw = self.redis.get(self.keys.brief_failed(key))
        return Failure.from_json(raw) if raw else None

    def clear_failure(self, key: str) -> None:
        """Forget a failed attempt at ``key`` (a rewrite asks the model now)."""
        self.redis.delete(self.keys.brief_failed(key))

    def delete(self, key: str) -> None:
        """Drop the brief stored under ``key`` (a rewrite writes it again)."""
        self.redis.delete(self.keys.brief(key))

    def claim(self, key: str, seconds: int) -> bool:
        """Claim the writing of ``key`` for ``seconds``; False when another process has it."""
        return bool(self.redis.set(self.keys.brief_lock(key), "1", nx=True, ex=seconds))

    def claimed(self, key: str) -> bool:
        """True while some process holds the claim on ``key``."""
        return bool(self.redis.exists(self.keys.brief_lock(key)))

    def release(self, key: str) -> None:
        """Give up the claim on ``key`` (the brief is stored, or the writer gave up)."""
        self.redis.delete(self.keys.brief_lock(key))

    def spend(self, day: str) -> Spend:
        """LLM use on ``day`` (ISO date, UTC)."""
        found = self.redis.hgetall(self.keys.llm_spend(day))
        raw = {_text(k): _text(v) for k, v in found.items()}
        return Spend(
            prompt_tokens=int(float(raw.get("prompt_tokens", 0))),
            completion_tokens=int(float(raw.get("completion_tokens", 0))),
            cost_usd=float(raw.get("cost_usd", 0.0)),
            calls=int(float(raw.get("calls", 0))),
            fallbacks=int(float(raw.get("fallbacks", 0))),
        )

    def add_spend(self, day: str, usage: Usage, calls: int) -> None:
        """Add one brief's LLM use to ``day``."""
        key = self.keys.llm_spend(day)
        pipe = self.redis.pipeline()
        pipe.hincrby(key, "prompt_tokens", usage.prompt_tokens)
        pipe.hincrby(key, "completion_tokens", usage.completion_tokens)
        pipe.hincrbyfloat(key, "cost_usd", usage.cost_usd)
        pipe.hincrby(key, "calls", calls)
        pipe.expire(key, SPEND_TTL)
        pipe.execute()

    def add_fallback(self, day: str) -> None:
        """Count one LLM brief that fell back to extractive on ``day``."""
        key = self.keys.llm_spend(day)
        pipe = self.redis.pipeline()
        pipe.hincrby(key, "fallbacks", 1)
        pipe.expire(key, SPEND_TTL)
        pipe.execute()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
