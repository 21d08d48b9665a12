"""The ingest run: due sources -> fetch -> parse (off the loop) -> clean -> dedupe -> store.

One failing feed never fails the run: its reason lands in the report and in its fetch
state. Only a broken store (Redis down) stops the run. Clustering is not done here:
the caller passes ``report.articles`` to ``core.stories.service.update_stories``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Coroutine, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import redis

from core import metrics
from core.errors import StoreError
from core.ingest import state as rules
from core.ingest.extract import ExtractedPage, extract_page
from core.ingest.fetch import Fetcher, FetchResult
from core.ingest.pages import PageReader
from core.ingest.parse import ParsedFeed, parse_for_store
from core.ingest.report import IngestReport
from core.models import Article, FetchState, Source, utcnow
from core.store.articles import ArticleRepo, Outcome
from core.store.base import Store
from core.store.sources import SourceRepo

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class SourceRun:
    """What happened to one source in this run."""

    source: Source
    state: FetchState
    outcome: str = "failed"  # ok | not_modified | failed
    articles: list[Article] = field(default_factory=list)
    duplicates: int = 0
    also_in: int = 0
    over_cap: int = 0  # items beyond fetch.max_items_per_feed, not kept
    error: str | None = None
    warning: str | None = None
    seconds: float = 0.0
    source_changed: bool = False
    moved: bool = False


async def run_ingest(
    store: Store,
    sources: Sequence[Source] | None = None,
    *,
    progress: Progress | None = None,
    parse_pool: Executor | None = None,
    trusted: Iterable[str] = (),
) -> IngestReport:
    """Fetch every due stored source (or all of ``sources``, due or not), store new
    articles, report. ``sources`` not stored yet are added to the SourceRepo.

    ``parse_pool`` overrides the process pool feeds are parsed in (the benchmark
    compares threads); ``trusted`` passes addresses through the SSRF guard (tests).
    """
    started = time.perf_counter()
    now = utcnow()
    try:
        runs, skipped = _plan(store, sources, now)
        report = IngestReport(
            sources=len(runs),
            skipped=skipped,
            items_cap=store.settings.fetch.max_items_per_feed,
        )
        pool = _Pool(parse_pool, store.settings.fetch.parse_workers)
        try:
            async with Fetcher(store.settings.fetch, trusted=trusted) as fetcher:
                pages = _page_reader(store, fetcher, pool)
                ingest = partial(_ingest_one, store, fetcher, pool, pages)
                await _gather(ingest, runs, progress)
                _count_pages(report, pages)
        finally:
            pool.shutdown()
        _save(store, runs)
    except redis.RedisError as exc:
        raise StoreError(f"Redis failed during ingest: {exc}") from None
    _summarise(report, runs)
    report.seconds = time.perf_counter() - started
    report.finished_at = utcnow()
    _record(store, report, runs)
    return report


def _plan(
    store: Store, explicit: Sequence[Source] | None, now: datetime
) -> tuple[list[SourceRun], int]:
    repo = SourceRepo(store)
    if explicit is None:
        enabled = [s for s in repo.all() if s.enabled]
    else:
        known = repo.ids()  # no seeding: a run over named feeds wants only those
        repo.put_many(s for s in explicit if s.id not in known)
        enabled = [s for s in explicit if s.enabled]
    states = repo.states([s.id for s in enabled])
    # Named sources are fetched now; the stored list waits out back-off and Retry-After.
    due = [s for s in enabled if explicit is not None or states[s.id].is_due(now)]
    return [SourceRun(s, states[s.id]) for s in due], len(enabled) - len(due)


async def _gather(
    ingest: Callable[[SourceRun], Coroutine[Any, Any, None]],
    runs: list[SourceRun],
    progress: Progress | None,
) -> None:
    tasks = [asyncio.ensure_future(ingest(run)) for run in runs]
    for done, task in enumerate(asyncio.as_completed(tasks), start=1):
        await task
        if progress is not None:
            progress(done, len(runs))


def _page_reader(store: Store, fetcher: Fetcher, pool: _Pool) -> PageReader | None:
    settings = store.settings.fetch
    if not settings.pages:
        return None
    since = utcnow() - timedelta(hours=store.settings.stories.window_hours)
    return PageReader(fetcher, settings, pool.extract, since=since)


def _count_pages(report: IngestReport, pages: PageReader | None) -> None:
    if pages is not None:
        report.pages_read = pages.read
        report.pages_full_in_feed = pages.full_in_feed
        report.pages_too_old = pages.too_old
        report.page_failures = dict(pages.failures.most_common())


async def _ingest_one(
    store: Store, fetcher: Fetcher, pool: _Pool, pages: PageReader | None, run: SourceRun
) -> None:
    try:
        await _fetch_and_store(store, fetcher, pool, run)
        if pages is not None and run.articles:
            await _read_pages(store, pages, run)
    except redis.RedisError:
        raise
    except Exception as exc:  # a bug met on one feed must not cost the other feeds
        log.warning("ingest of %s failed: %r", run.source.id, exc)
        log.debug("traceback", exc_info=True)
        _fail(store, run, None, f"internal error: {exc!r}")


async def _fetch_and_store(store: Store, fetcher: Fetcher, pool: _Pool, run: SourceRun) -> None:
    state = run.state
    result = await fetcher.fetch(run.source.url, etag=state.etag, last_modified=state.last_modified)
    run.seconds = result.seconds
    if result.moved_to and result.moved_to != run.source.url:
        run.source = run.source.model_copy(update={"url": result.moved_to})
        run.source_changed = run.moved = True
    if result.error is not None:
        _fail(store, run, result.status, result.error, result.retry_after)
    elif result.not_modified:
        _succeed(run, result, body_hash=None, outcome="not_modified")
    else:
        await _parse_and_store(store, pool, run, result)


async def _parse_and_store(store: Store, pool: _Pool, run: SourceRun, result: FetchResult) -> None:
    body = result.body or b""
    body_hash = hashlib.blake2b(body, digest_size=16).hexdigest()
    if body_hash == run.state.body_hash:
        _succeed(run, result, body_hash=body_hash, outcome="not_modified")
        return
    try:
        parsed = await pool.parse(
            body,
            url=result.final_url,
            content_type=result.content_type,
            source_id=run.source.id,
            language=run.source.language,
            fetched=utcnow(),
            max_items=store.settings.fetch.max_items_per_feed,
        )
    except Exception as exc:  # a parser crash is this feed's problem, not the run's
        log.warning("parser failed on %s: %r", run.source.id, exc)
        _fail(store, run, result.status, f"parser error: {exc!r}")
        return
    if parsed.error is not None:
        _fail(store, run, result.status, parsed.error)
        return
    await _store(store, run, parsed)
    _succeed(run, result, body_hash=body_hash, outcome="ok")


async def _store(store: Store, run: SourceRun, parsed: ParsedFeed) -> None:
    # In a thread: a Redis call that waits must not stall the other fetches.
    outcomes = await asyncio.to_thread(ArticleRepo(store).insert_keyed, parsed.keyed)
    for item, outcome in zip(parsed.keyed, outcomes, strict=True):
        if outcome is Outcome.NEW:
            run.articles.append(item.article())
        else:
            run.duplicates += 1
            run.also_in += outcome in (Outcome.ALSO_IN, Outcome.EARLIER)
    run.warning = parsed.warning
    run.over_cap = parsed.over_cap
    if parsed.over_cap:
        cap = store.settings.fetch.max_items_per_feed
        log.warning(
            "%s: %d items over the cap of %d per fetch (AITODAY_FETCH__MAX_ITEMS_PER_FEED); "
            "kept the newest",
            run.source.id,
            parsed.over_cap,
            cap,
        )


async def _read_pages(store: Store, pages: PageReader, run: SourceRun) -> None:
    """Full text for this feed's new articles; a page failure leaves the feed's blurb."""
    before = run.articles
    run.articles = await pages.enrich(before)
    changed = [new for old, new in zip(before, run.articles, strict=True) if new is not old]
    if changed:
        await asyncio.to_thread(ArticleRepo(store).replace_many, changed)


def _succeed(run: SourceRun, result: FetchResult, *, body_hash: str | None, outcome: str) -> None:
    run.outcome = outcome
    if not run.source.verified:  # the shipped list marks URLs nobody could check yet
        run.source = run.source.model_copy(update={"verified": True})
        run.source_changed = True
    run.state = rules.succeeded(
        run.state,
        utcnow(),
        status=result.status or 200,
        etag=result.etag,
        last_modified=result.last_modified,
        body_hash=body_hash,
    )


def _fail(
    store: Store, run: SourceRun, status: int | None, error: str, retry_after: float | None = None
) -> None:
    run.outcome, run.error = "failed", error
    run.state = rules.failed(
        run.state, utcnow(), status=status, error=error, retry_after=retry_after
    )
    reason = rules.disable_reason(run.state, status, store.settings.fetch.max_failures)
    if reason is not None:
        run.source = run.source.model_copy(update={"enabled": False, "disabled_reason": reason})
        run.source_changed = True


def _save(store: Store, runs: list[SourceRun]) -> None:
    repo = SourceRepo(store)
    repo.save_states({run.source.id: run.state for run in runs})
    repo.put_many(run.source for run in runs if run.source_changed)


def _summarise(report: IngestReport, runs: list[SourceRun]) -> None:
    for run in runs:
        sid = run.source.id
        report.fetched += run.outcome == "ok"
        report.not_modified += run.outcome == "not_modified"
        if run.outcome == "failed":
            reason = run.error or "unknown"
            if not run.source.verified:
                reason += " (an unverified URL in the source list)"
            report.failed.append({"source": sid, "reason": reason})
        if not run.source.enabled:
            report.disabled.append({"source": sid, "reason": run.source.disabled_reason or ""})
        if run.moved:
            report.moved.append({"source": sid, "url": run.source.url})
        if run.warning:
            report.warnings.append({"source": sid, "warning": run.warning})
        if run.over_cap:
            report.over_cap.append({"source": sid, "items": run.over_cap})
        report.articles.extend(run.articles)
        report.duplicates += run.duplicates
        report.also_in += run.also_in
    report.new_articles = len(report.articles)


def _record(store: Store, report: IngestReport, runs: list[SourceRun]) -> None:
    try:
        for outcome in ("ok", "not_modified", "failed"):
            count = sum(run.outcome == outcome for run in runs)
            if count:
                metrics.incr(store, "aitoday_ingest_fetches_total", count, outcome=outcome)
        if report.new_articles:
            metrics.incr(store, "aitoday_ingest_new_articles_total", report.new_articles)
        seconds = sum(run.seconds for run in runs)
        metrics.incr(store, "aitoday_ingest_fetch_seconds_total", seconds)
        SourceRepo(store).save_last_run(report.to_json())
    except redis.RedisError as exc:
        raise StoreError(f"Redis failed during ingest: {exc}") from None


class _Pool:
    """The parse executor: a caller's, or a process pool made on first use.

    feedparser is pure Python, so threads share one core; processes use them all
    (measured in bench/ingest.py). A run with nothing new to parse starts no process.
    """

    def __init__(self, given: Executor | None, workers: int) -> None:
        self._given = given
        self._own: Executor | None = None
        self._workers = workers or os.cpu_count() or 1

    async def parse(self, body: bytes, **kwargs: Any) -> ParsedFeed:
        executor = self._given or self._ensure()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, partial(parse_for_store, body, **kwargs))

    async def extract(self, body: bytes, url: str) -> ExtractedPage:
        """One article page, extracted in the same pool (trafilatura is CPU work)."""
        executor = self._given or self._ensure()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, partial(extract_page, body, url))
        except Exception as exc:  # a dead worker is this page's problem, not the feed's
            return ExtractedPage(url, error=f"extractor error: {type(exc).__name__}")

    def _ensure(self) -> Executor:
        if self._own is None:
            # fork: workers inherit the imported parser instead of importing it again.
            context = multiprocessing.get_context(
                "fork" if "fork" in multiprocessing.get_all_start_methods() else None
            )
            self._own = ProcessPoolExecutor(self._workers, mp_context=context)
        return self._own

    def shutdown(self) -> None:
        if self._own is not None:
            self._own.shutdown(wait=True, cancel_futures=True)
            self._own = None
