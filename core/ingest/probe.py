"""Checking a feed URL before it becomes a source (``aitoday sources add``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from core.config import FetchSettings
from core.errors import SourceError
from core.ingest.fetch import Fetcher
from core.ingest.parse import ParsedFeed, parse_feed
from core.ingest.sources import host_of, source_slug, unique_id
from core.ingest.ssrf import check_host, check_url
from core.models import Source, SourceCategory, utcnow


async def probe(url: str, settings: FetchSettings, *, trusted: Iterable[str] = ()) -> ParsedFeed:
    """Fetch ``url`` once and parse it; SourceError saying why it is not a usable feed."""
    check_url(url)
    parts = urlsplit(url)
    if not settings.allow_private and parts.hostname not in set(trusted):
        await check_host(parts.hostname or "", parts.port or 443, allow_private=False)
    async with Fetcher(settings, trusted=trusted) as fetcher:
        result = await fetcher.fetch(url)
    if result.error is not None:
        raise SourceError(f"{url}: {result.error}")
    parsed = parse_feed(
        result.body or b"",
        url=result.final_url,
        content_type=result.content_type,
        source_id="probe",
        language="en",
        fetched=utcnow(),
    )
    if parsed.error is not None:
        raise SourceError(f"{url}: {parsed.error}")
    return parsed


def new_source(
    url: str,
    parsed: ParsedFeed,
    existing: Sequence[Source],
    *,
    title: str | None = None,
    category: SourceCategory = SourceCategory.NEWS,
    authority: float = 0.5,
    language: str = "en",
) -> Source:
    """A user-added Source for a probed feed, with an id unique among ``existing``."""
    name = title or parsed.title or host_of(url)
    base = source_slug(name, url)
    return Source(
        id=unique_id(base, {s.id for s in existing}),
        url=url,
        title=name,
        category=category,
        authority=authority,
        language=language,
        verified=True,
        added_by_user=True,
    )
