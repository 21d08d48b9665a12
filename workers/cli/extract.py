"""``aitoday extract PATH_OR_URL...``: the article extraction ingest uses, on any page."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from core.config import FetchSettings
from core.ingest.extract import ExtractedPage, extract_in, extract_page
from core.ingest.fetch import Fetcher
from core.ingest.pages import ACCEPT_HTML
from workers.cli.context import AppContext, pass_app

PREVIEW_CHARS = 600


@click.command("extract")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_app
def extract_command(app: AppContext, inputs: tuple[str, ...], as_json: bool) -> None:
    """Main text, title, language, lead image and date of article pages.

    Each input is an http(s) URL, fetched through the feeds' fetcher (SSRF guard, size
    cap, timeouts; robots.txt is not consulted: you asked for this page), or a local
    .html / .html.gz file. --json writes one line per input, in input order:
    {"input", "title", "text", "language", "image", "published", "author", "error"}.
    """
    pages = asyncio.run(_extract_all(app.settings.fetch, inputs))
    for given, page in zip(inputs, pages, strict=True):
        if as_json:
            sys.stdout.write(json.dumps({"input": given, **page.to_dict()}, ensure_ascii=False))
            sys.stdout.write("\n")
        else:
            click.echo(_human(given, page))
    sys.stdout.flush()


async def _extract_all(settings: FetchSettings, inputs: Sequence[str]) -> list[ExtractedPage]:
    urls = [i for i in inputs if i.startswith(("http://", "https://"))]
    fetched: dict[str, ExtractedPage] = {}
    if urls:
        async with Fetcher(settings) as fetcher:
            pages = await asyncio.gather(*(_from_url(fetcher, u) for u in urls))
        fetched = dict(zip(urls, pages, strict=True))
    return [fetched[i] if i in fetched else _from_file(i) for i in inputs]


async def _from_url(fetcher: Fetcher, url: str) -> ExtractedPage:
    result = await fetcher.fetch(url, accept=ACCEPT_HTML)
    if not result.ok:
        return ExtractedPage(url, error=result.error or f"HTTP {result.status}")
    return await extract_in(None, result.body or b"", result.final_url)


def _from_file(path: str) -> ExtractedPage:
    try:
        body = Path(path).read_bytes()
    except OSError as exc:
        return ExtractedPage("", error=f"cannot read {path}: {exc.strerror or exc}")
    return extract_page(body, "")


def _human(given: str, page: ExtractedPage) -> str:
    if page.error:
        return f"{given}\n  error: {page.error}\n"
    text = page.text if len(page.text) <= PREVIEW_CHARS else page.text[:PREVIEW_CHARS] + " …"
    published = page.published.isoformat() if page.published else "-"
    return (
        f"{given}\n  title:     {page.title or '-'}\n  language:  {page.language or '-'}\n"
        f"  image:     {page.image or '-'}\n  published: {published}\n"
        f"  words:     {len(page.text.split())}\n\n{text}\n"
    )


def register(cli: click.Group) -> None:
    cli.add_command(extract_command)
