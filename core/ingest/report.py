"""The run report of one ingest: what ``aitoday ingest`` prints and ``status`` shows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.models import Article


@dataclass(repr=False)
class IngestReport:
    """Counts of one run; ``articles`` holds the new Articles (not serialised)."""

    # A short repr on purpose: asyncio.run (3.11) formats the main task, result
    # included, when it restores the SIGINT handler; a default repr of 18,000
    # articles cost seconds of CPU there.
    def __repr__(self) -> str:
        return (
            f"IngestReport(sources={self.sources}, fetched={self.fetched}, "
            f"not_modified={self.not_modified}, failed={len(self.failed)}, "
            f"new_articles={self.new_articles}, duplicates={self.duplicates}, "
            f"seconds={self.seconds:.2f})"
        )

    sources: int = 0  # sources fetched this run (due and enabled)
    fetched: int = 0  # answered with a body we parsed
    not_modified: int = 0  # 304, or a body identical to the last one
    failed: list[dict[str, str]] = field(default_factory=list)  # {"source", "reason"}
    new_articles: int = 0
    duplicates: int = 0  # items already stored (this source earlier, or another source)
    seconds: float = 0.0
    articles: list[Article] = field(default_factory=list)
    also_in: int = 0  # duplicates first stored by another source (appended to also_in)
    skipped: int = 0  # enabled sources waiting for back-off or Retry-After
    disabled: list[dict[str, str]] = field(default_factory=list)  # disabled this run
    moved: list[dict[str, str]] = field(default_factory=list)  # {"source", "url"} (301/308)
    warnings: list[dict[str, str]] = field(default_factory=list)  # malformed, recovered
    # Feeds that held more items than fetch.max_items_per_feed: {"source", "items"} with
    # the number of their oldest items not kept; the cap in force is ``items_cap``.
    over_cap: list[dict[str, Any]] = field(default_factory=list)
    items_cap: int = 0
    finished_at: datetime | None = None
    # Article pages (core.ingest.pages): read for full text, not needed (the feed item
    # carried it), and failures by reason ("HTTP 404", "robots.txt disallows", ...).
    pages_read: int = 0
    pages_full_in_feed: int = 0
    pages_too_old: int = 0  # published before the stories window: not worth a fetch
    page_failures: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Everything but the articles themselves (their count is ``new_articles``)."""
        return {
            "sources": self.sources,
            "fetched": self.fetched,
            "not_modified": self.not_modified,
            "failed": self.failed,
            "new_articles": self.new_articles,
            "duplicates": self.duplicates,
            "seconds": round(self.seconds, 3),
            "also_in": self.also_in,
            "skipped": self.skipped,
            "disabled": self.disabled,
            "moved": self.moved,
            "warnings": self.warnings,
            "over_cap": self.over_cap,
            "items_cap": self.items_cap,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "pages": {
                "read": self.pages_read,
                "full_in_feed": self.pages_full_in_feed,
                "too_old": self.pages_too_old,
                "failed": self.page_failures,
            },
        }

    def to_json(self) -> str:
        """``to_dict`` as JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def lines(self) -> list[str]:
        """A human summary, one fact per line, failures listed with their reasons."""
        out = [
            f"sources       {self.sources}"
            + (f" ({self.skipped} backing off)" if self.skipped else ""),
            f"fetched       {self.fetched}",
            f"not_modified  {self.not_modified}",
            f"failed        {len(self.failed)}",
            f"new_articles  {self.new_articles}",
            f"duplicates    {self.duplicates}"
            + (f" ({self.also_in} from another source)" if self.also_in else ""),
            f"seconds       {self.seconds:.2f}",
        ]
        if self.over_cap:
            cut = sum(c["items"] for c in self.over_cap)
            feeds = len(self.over_cap)
            out.append(
                f"over_cap      {cut} items not kept from {feeds} feed{'s' * (feeds != 1)} "
                f"(newest {self.items_cap} kept; AITODAY_FETCH__MAX_ITEMS_PER_FEED)"
            )
        if self.pages_read or self.pages_full_in_feed or self.pages_too_old or self.page_failures:
            failed = sum(self.page_failures.values())
            out.append(
                f"pages         {self.pages_read} read, {failed} failed, "
                f"{self.pages_full_in_feed} full text in feed, {self.pages_too_old} too old"
            )
            out += [f"  page     {reason}: {n}" for reason, n in self.page_failures.items()]
        out += [f"  failed   {f['source']}: {f['reason']}" for f in self.failed]
        out += [f"  disabled {d['source']}: {d['reason']}" for d in self.disabled]
        out += [f"  moved    {m['source']} -> {m['url']}" for m in self.moved]
        out += [f"  cut      {c['source']}: {c['items']} oldest items" for c in self.over_cap]
        return out
