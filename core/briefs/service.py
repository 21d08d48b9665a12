"""Briefs on demand: cache first, then the LLM (within budget), else extractive.

``await brief_for(store, story, language)`` -> ``(key, brief)``; ``ensure_briefs(store,
stories, languages)`` writes whatever is missing, one brief per story and language (never
per subscriber), a few at a time, and returns ``{(story_id, language): key}`` for the
edition items. Every brief passes the guard before it is stored.

With no model configured (``AITODAY_LLM__MODEL`` unset) every brief is extractive. With a
model, the extractive brief stands in when the daily budget is spent, when the model
fails, or when its answer fails the guard twice; it is stored under its own key, so the
LLM is asked again later and an edition already built keeps its brief. How much later:
``RETRY_AFTER_LLM_ERROR`` (5 minutes) after a failed call, ``RETRY_AFTER_FAILURE`` (30
minutes) after answers the guard refused, at once when the model settings changed (the
failure remembers :func:`model_config`), the next UTC day when the budget was spent.
:func:`fallback_reason` says which of these holds a brief extractive; ``rewrite=True``
asks the model now, whatever is cached.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from core.briefs.cache import extractive_key, llm_key, over_budget, today
from core.briefs.extractive import extractive_brief
from core.briefs.guard import brief_problems
from core.briefs.image import with_lead_image
from core.briefs.inputs import SourceText, brief_sources, for_reader, load_inputs
from core.briefs.llm import LLMWriter, WriterFailed
from core.config import LLMSettings
from core.errors import BriefError
from core.i18n import DEFAULT_LANGUAGE, normalize_language
from core.metrics import incr
from core.models import Brief, Story, Usage, short_hash, utcnow
from core.store.base import Store
from core.store.briefs import BriefRepo, Failure
from core.store.sources import SourceRepo

log = logging.getLogger(__name__)

CONCURRENCY = 4
MAX_WAIT_SECONDS = 300
POLL_SECONDS = 0.2
_budget_logged: set[str] = set()


@dataclass(frozen=True)
class Fallback:
    """Why a brief is extractive: a reason label and the words to show an operator."""

    reason: str  # no_model | llm_error | invalid_output | guard | budget | busy | pending
    detail: str
    retry_at: datetime | None = None  # when the model is asked again by itself

    def describe(self) -> str:
        """One line: "LLM call failed: RateLimitError; asked again after 12:05 UTC"."""
        text = {
            "no_model": "no model configured (AITODAY_LLM__MODEL is unset)",
            "llm_error": f"LLM call failed: {self.detail.partition(':')[0] or 'error'}",
            "invalid_output": f"the model's answers were not a valid brief: {self.detail}",
            "guard": f"the guard refused the model's answers: {self.detail}",
        }.get(self.reason, self.detail)
        if self.retry_at is not None:
            text += f"; the model is asked again after {self.retry_at:%Y-%m-%d %H:%M} UTC"
        return text

    def as_json(self) -> dict[str, str | None]:
        retry = self.retry_at.isoformat() if self.retry_at else None
        return {"reason": self.reason, "detail": self.detail, "retry_at": retry}


def model_config(llm: LLMSettings) -> str:
    """A fingerprint of the settings that decide whether the model answers."""
    return short_hash(llm.model or "", llm.api_base or "", *llm.fallbacks, size=8)


async def brief_for(
    store: Store,
    story: Story,
    language: str,
    *,
    writer: LLMWriter | None = None,
    rewrite: bool = False,
) -> tuple[str, Brief]:
    """The brief of ``story`` for ``language`` readers and its key; cache first.

    ``writer`` lets a batch share one LLM session; without it one is opened as needed.
    ``rewrite`` writes it again now (with the model when one is configured), ignoring
    the cached brief and a recent failure; the daily budget still holds.
    """
    lang = normalize_language(language) or DEFAULT_LANGUAGE
    repo = BriefRepo(store)
    model = store.settings.llm.model
    if not model:
        return _extractive(store, repo, story, lang, None, rewrite=rewrite)
    key = llm_key(story, model, lang)
    if rewrite:
        repo.clear_failure(key)
    else:
        cached = repo.get(key)
        if cached is not None:
            return key, cached
        if _holding_off(store, repo, key):
            return _extractive(store, repo, story, lang, None)
    if over_budget(repo, store.settings.llm.daily_budget_usd):
        _log_budget_once(store.settings.llm.daily_budget_usd)
        return _fallback(store, repo, story, lang, "budget", None)
    inputs = load_inputs(store, story)
    if writer is None:
        async with LLMWriter(store.settings.llm) as own:
            return await _llm(store, repo, story, lang, key, inputs, own)
    return await _llm(store, repo, story, lang, key, inputs, writer)


def fallback_reason(store: Store, story: Story, language: str) -> Fallback | None:
    """Why the brief of ``story`` in ``language`` is extractive now (None: the model wrote it).

    Read from what :func:`brief_for` left behind: the failure record, the day's spend,
    the writing claim.
    """
    llm = store.settings.llm
    if not llm.model:
        return Fallback("no_model", "no model configured")
    lang = normalize_language(language) or DEFAULT_LANGUAGE
    repo = BriefRepo(store)
    key = llm_key(story, llm.model, lang)
    if repo.get(key) is not None:
        return None
    failure = repo.failure(key)
    if failure is not None and failure.config == model_config(llm):
        return Fallback(failure.reason, failure.detail, failure.retry_at)
    if over_budget(repo, llm.daily_budget_usd):
        tomorrow = datetime.combine(utcnow().date() + timedelta(days=1), time(), UTC)
        detail = f"the daily LLM budget of ${llm.daily_budget_usd:.2f} is spent"
        return Fallback("budget", detail, tomorrow)
    if repo.claimed(key):
        return Fallback("busy", "another process is writing the LLM brief now")
    return Fallback("pending", "the model has not written this brief yet")


def _holding_off(store: Store, repo: BriefRepo, key: str) -> bool:
    """True while a recent failure with these model settings holds the model off."""
    failure = repo.failure(key)
    return failure is not None and failure.config == model_config(store.settings.llm)


async def ensure_briefs_async(
    store: Store, stories: Iterable[Story], languages: Iterable[str]
) -> dict[tuple[str, str], str]:
    """Write the missing briefs for every (story, language), ``CONCURRENCY`` at a time.

    The result is keyed by the languages as given ("JA" and "ja" share one brief).
    """
    asked = {lang: normalize_language(lang) or DEFAULT_LANGUAGE for lang in languages}
    langs = list(dict.fromkeys(asked.values()))
    unique = list({story.id: story for story in stories}.values())
    gate = asyncio.Semaphore(CONCURRENCY)
    writer = LLMWriter(store.settings.llm) if store.settings.llm.model else None

    async def one(story: Story, lang: str) -> tuple[tuple[str, str], str]:
        async with gate:
            key, _ = await brief_for(store, story, lang, writer=writer)
            return (story.id, lang), key

    jobs = [one(story, lang) for story in unique for lang in langs]
    if writer is None:
        written = dict(await asyncio.gather(*jobs))
    else:
        async with writer:
            written = dict(await asyncio.gather(*jobs))
    return {(s.id, given): written[(s.id, lang)] for s in unique for given, lang in asked.items()}


async def rewrite_many(store: Store, pairs: Iterable[tuple[Story, str]]) -> list[Brief]:
    """Write each (story, language) brief again now (``brief_for(..., rewrite=True)``),
    ``CONCURRENCY`` at a time through one LLM session; the briefs in the order given."""
    gate = asyncio.Semaphore(CONCURRENCY)
    writer = LLMWriter(store.settings.llm) if store.settings.llm.model else None

    async def one(story: Story, lang: str) -> Brief:
        async with gate:
            return (await brief_for(store, story, lang, writer=writer, rewrite=True))[1]

    jobs = [one(story, lang) for story, lang in pairs]
    if writer is None:
        return list(await asyncio.gather(*jobs))
    async with writer:
        return list(await asyncio.gather(*jobs))


def ensure_briefs(
    store: Store, stories: Iterable[Story], languages: Iterable[str]
) -> dict[tuple[str, str], str]:
    """Sync entry point for the editions tick: {(story_id, language): brief key}.

    Runs its own event loop (in a helper thread when this thread already runs one); from
    async code, prefer :func:`ensure_briefs_async`.
    """
    chosen, langs = list(stories), list(languages)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(ensure_briefs_async(store, chosen, langs))
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, ensure_briefs_async(store, chosen, langs)).result()


async def _llm(
    store: Store,
    repo: BriefRepo,
    story: Story,
    lang: str,
    key: str,
    inputs: list[SourceText],
    writer: LLMWriter,
) -> tuple[str, Brief]:
    if not repo.claim(key, _claim_seconds(store)):
        # Another process (the web page, a second worker) is writing this brief: wait for
        # it rather than pay for the same call twice.
        waited = await _wait_for(repo, key, _claim_seconds(store))
        return (
            (key, waited) if waited is not None else _extractive(store, repo, story, lang, inputs)
        )
    try:
        return await _write(store, repo, story, lang, key, inputs, writer)
    finally:
        repo.release(key)


async def _write(
    store: Store,
    repo: BriefRepo,
    story: Story,
    lang: str,
    key: str,
    inputs: list[SourceText],
    writer: LLMWriter,
) -> tuple[str, Brief]:
    day = today()
    try:
        written = await writer.write(story, inputs, lang)
    except WriterFailed as failed:
        _record_usage(store, repo, day, failed.usage, failed.calls)
        config = model_config(store.settings.llm)
        repo.mark_failed(key, Failure.after(failed.reason, str(failed), config))
        log.warning("LLM brief %s/%s failed (%s): %s", story.id, lang, failed.reason, failed)
        return _fallback(store, repo, story, lang, failed.reason, inputs)
    usage = written.brief.usage
    assert usage is not None  # an LLM brief always carries its usage
    _record_usage(store, repo, day, usage, written.calls)
    brief = with_lead_image(written.brief, inputs, SourceRepo(store).authority())
    repo.put(key, brief)
    incr(store, "aitoday_briefs_total", generator="llm")
    _record_grounding(store, brief)
    return key, brief


def _record_grounding(store: Store, brief: Brief) -> None:
    grounding = brief.grounding
    if grounding is None:
        return
    incr(store, "aitoday_brief_sentences_checked_total", grounding.sentences_checked)
    incr(store, "aitoday_brief_sentences_removed_total", grounding.sentences_removed)
    for part in grounding.fallbacks:
        incr(store, "aitoday_brief_part_fallbacks_total", part=part)


def _log_budget_once(budget: float) -> None:
    """One warning per process and day, not one per story."""
    day = today()
    if day not in _budget_logged:
        _budget_logged.add(day)
        log.warning(
            "daily LLM budget of $%.2f spent: briefs are extractive until tomorrow (UTC)", budget
        )


def _claim_seconds(store: Store) -> int:
    """The longest one brief can take: two answers, each through every model and retry."""
    llm = store.settings.llm
    attempts = 2 * (1 + llm.max_retries) * (1 + len(llm.fallbacks))
    return int(min(MAX_WAIT_SECONDS, attempts * llm.timeout + 5))


async def _wait_for(repo: BriefRepo, key: str, seconds: float) -> Brief | None:
    """The brief another process is writing, once it is stored (None after ``seconds``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        found = repo.get(key)
        if found is not None:
            return found
        if not repo.claimed(key):
            return repo.get(key)  # the writer gave up (or just finished)
        await asyncio.sleep(POLL_SECONDS)
    return None


def _fallback(
    store: Store,
    repo: BriefRepo,
    story: Story,
    lang: str,
    reason: str,
    inputs: list[SourceText] | None,
) -> tuple[str, Brief]:
    incr(store, "aitoday_brief_fallbacks_total", reason=reason)
    repo.add_fallback(today())
    return _extractive(store, repo, story, lang, inputs)


def _extractive(
    store: Store,
    repo: BriefRepo,
    story: Story,
    lang: str,
    inputs: list[SourceText] | None,
    *,
    rewrite: bool = False,
) -> tuple[str, Brief]:
    key = extractive_key(story, lang)
    cached = None if rewrite else repo.get(key)
    if cached is not None:
        return key, cached
    inputs = inputs if inputs is not None else load_inputs(store, story)
    titled, quoted = for_reader(story, inputs, lang)  # quotes in the reader's language
    written = extractive_brief(titled, quoted, lang).model_copy(
        update={"sources": brief_sources(inputs)}  # ... citing the sources in every language
    )
    brief = with_lead_image(written, inputs, SourceRepo(store).authority())
    allowed = [a.url for a in story.articles]
    problems = brief_problems(brief, allowed)
    if problems:  # a bug in the extractive writer's hygiene, not bad input: say so loudly
        raise BriefError(f"extractive brief of {story.id} failed the guard: {problems}")
    repo.put(key, brief)
    incr(store, "aitoday_briefs_total", generator="extractive")
    return key, brief


def _record_usage(store: Store, repo: BriefRepo, day: str, usage: Usage, calls: int) -> None:
    repo.add_spend(day, usage, calls)
    incr(store, "aitoday_llm_tokens_total", usage.prompt_tokens, kind="prompt")
    incr(store, "aitoday_llm_tokens_total", usage.completion_tokens, kind="completion")
    incr(store, "aitoday_llm_cost_usd_total", usage.cost_usd)
