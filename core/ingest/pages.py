"""Reading the pages of new articles: robots.txt, fetch, extract, merge into the Article.

Only articles that are new in this run reach here, so a known article's page is never
fetched again and a warm ingest (nothing new) fetches no page at all. Of those, only
articles published within ``since`` (ingest passes the stories window, 72 h) are read:
a first ingest of 200 feeds brings thousands of old items no brief will use.

The skip rule (``carries_full_text``): a feed item already carries the full text when
its text (content, else summary) has at least ``fetch.full_text_words`` words (default
250; CJK text counts characters / 2 as words) and does not end in an ellipsis or a
"read more" / "continue reading" link text. Such an item's page is not read.

Pages go through the feeds' own ``Fetcher`` (SSRF guard, global and per-host slots,
size cap, timeouts, redirects). robots.txt is honoured unless ``fetch.robots`` is off:
fetched once per origin per run through the same fetcher; 4xx means everything is
allowed, any other failure means nothing is (RFC 9309, section 2.3.1).

A page that fails leaves its article as the feed gave it; the reason is counted.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from core.config import FetchSettings
from core.ingest.extract import ExtractedPage, extract_in
from core.ingest.fetch import Fetcher
from core.models import Article

Extract = Callable[[bytes, str], Awaitable[ExtractedPage]]  # off the loop, never raises

ROBOTS_DISALLOWED = "robots.txt disallows"
ROBOTS_UNREACHABLE = "robots.txt unreachable"
NOT_HTML = "not an HTML page"
ACCEPT_HTML = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
# A PDF or an image behind an item link has no text for trafilatura; text/plain and a
# missing type are tried (some servers label pages badly).
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", ""})
_READ_MORE = re.compile(
    r"(?:\.\.\.|…|\[\s*(?:\.\.\.|…)\s*\]|read more|continue reading|read the full|more\s*»)\W*$",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def carries_full_text(article: Article, min_words: int) -> bool:
    """True when the feed item itself holds the whole article (see the module rule)."""
    body = (article.text or article.summary).strip()
    if not body or _READ_MORE.search(body[-40:]):
        return False
    words = len(body.split()) + len(_CJK.findall(body)) // 2
    return words >= min_words


def failure_reason(error: str) -> str:
    """A fetch or extract error as a short, countable reason (no URLs, no sizes)."""
    if error.startswith("robots.txt"):
        return error
    if "exceeds" in error or "larger than" in error:
        return "too large"
    if "timeout" in error or error.startswith("too slow"):
        return "timeout"
    if error.startswith("HTTP "):
        return " ".join(error.split()[:2])  # "HTTP 404"
    return error.split(":", 1)[0].strip() or "unknown"


class Robots:
    """robots.txt answers for one run: one fetch per origin, shared by every page."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self._origins: dict[str, asyncio.Task[tuple[RobotFileParser, str | None]]] = {}

    async def refusal(self, url: str) -> str | None:
        """Why our user agent may not fetch ``url`` (None: it may)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        task = self._origins.get(origin)
        if task is None:
            task = self._origins[origin] = asyncio.ensure_future(self._load(origin))
        parser, unreachable = await task
        if unreachable is not None:
            return unreachable
        allowed = parser.can_fetch(self.fetcher.settings.user_agent, url)
        return None if allowed else ROBOTS_DISALLOWED

    async def _load(self, origin: str) -> tuple[RobotFileParser, str | None]:
        parser = RobotFileParser(origin + "/robots.txt")
        result = await self.fetcher.fetch(origin + "/robots.txt", accept="text/plain")
        if result.ok:
            parser.parse((result.body or b"").decode("utf-8", "replace").splitlines())
            return parser, None
        if result.status is not None and 400 <= result.status < 500:
            parser.parse([])  # no robots.txt: everything allowed
            return parser, None
        # Unreachable: nothing is allowed; the count says why (often the site is down).
        return parser, f"{ROBOTS_UNREACHABLE}: {failure_reason(result.error or 'unknown')}"


class PageReader:
    """Reads article pages for one ingest run; counts what happened to them."""

    def __init__(
        self,
        fetcher: Fetcher,
        settings: FetchSettings,
        extract: Extract | None = None,
        *,
        since: datetime | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.since = since
        self.settings = settings
        self.extract: Extract = extract or (lambda body, url: extract_in(None, body, url))
        self.robots = Robots(fetcher) if settings.robots else None
        self.read = 0
        self.full_in_feed = 0
        self.too_old = 0
        self.failures: Counter[str] = Counter()

    async def enrich(self, articles: Sequence[Article]) -> list[Article]:
        """The articles, those whose page was read carrying its text; same order."""
        return list(await asyncio.gather(*(self._one(a) for a in articles)))

    async def _one(self, article: Article) -> Article:
        if carries_full_text(article, self.settings.full_text_words):
            self.full_in_feed += 1
            return article
        if self.since is not None and article.published < self.since:
            self.too_old += 1
            return article
        page = await self._page(article.url)
        if not page.ok:
            self.failures[failure_reason(page.error or "no main text found")] += 1
            return article
        self.read += 1
        return merged(article, page)

    async def _page(self, url: str) -> ExtractedPage:
        refusal = await self.robots.refusal(url) if self.robots is not None else None
        if refusal is not None:
            return ExtractedPage(url, error=refusal)
        result = await self.fetcher.fetch(url, accept=ACCEPT_HTML)
        if not result.ok:
            return ExtractedPage(url, error=result.error or f"HTTP {result.status}")
        kind = (result.content_type or "text/html").split(";", 1)[0].strip().lower()
        if kind not in HTML_TYPES:
            return ExtractedPage(url, error=NOT_HTML)
        return await self.extract(result.body or b"", result.final_url)


def merged(article: Article, page: ExtractedPage) -> Article:
    """``article`` with the page's text, image, author, language and (if the feed had
    none) its date. A page text shorter than what the feed gave keeps the feed's."""
    update: dict[str, object] = {"image": page.image or article.image}
    if len(page.text) >= len(article.text or article.summary):
        update.update(text=page.text, full_text=True)
    if page.author and not article.author:
        update["author"] = page.author
    # The page's language only when it differs in kind: a Taiwanese page saying lang="zh"
    # must not turn the source's zh-Hant into zh-Hans.
    if page.language and page.language.split("-")[0] != article.language.split("-")[0]:
        update["language"] = page.language
    # parse dates an undated item at its fetch time: that is "the feed had none".
    if page.published is not None and article.published == article.fetched:
        update["published"] = min(page.published, article.fetched)
    return article.model_copy(update=update)
