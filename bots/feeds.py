"""Feeds on the web: a reader's own digests and the public top stories, Atom and JSON Feed.

Routes: ``GET /feed/{token}.xml|.json`` (a reader's feed; the token is
:func:`core.tokens.feed_token`, which names the reader without showing who),
``GET /feed/top.xml|.json`` (the day's top stories; English, else ``?lang=``) and
``POST /feed/new/{preferences token}`` (the preferences page's "new feed address": every
older feed URL of that reader stops working).

Each feed answers conditional GETs: the validators come from the ids the feed is made of
(:mod:`core.feeds.validators`), so a 304 costs one or two Redis calls and no rendering. A
token that does not open, names no one, or is of an older generation gets the site's
plain 404 page, the same for each. The handlers are plain functions: Starlette runs them
in its thread pool, off the event loop, as the repositories use the synchronous client.
"""

from __future__ import annotations

from typing import Any, Literal

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from core import tokens
from core.errors import ValidationError
from core.feeds import atom, jsonfeed
from core.feeds.entries import Feed
from core.feeds.service import (
    FeedUrls,
    feed_urls,
    reader_basis,
    reader_feed,
    top_basis,
    top_feed,
)
from core.feeds.validators import Validators, not_modified
from core.i18n import DEFAULT_LANGUAGE, normalize_language
from core.models import Subscriber
from core.store.base import Store
from core.store.subscribers import SubscriberRepo

__all__ = ["feed_context", "routes"]

Form = Literal["xml", "json"]
READER_CACHE = "private, max-age=900"  # a digest comes a few times a day at most
TOP_CACHE = "public, max-age=300"


def routes() -> list[Route]:
    """The feed routes, for bots.web (the public feed's before the token's)."""
    return [
        Route("/feed/top.xml", top_atom, methods=["GET"]),
        Route("/feed/top.json", top_json, methods=["GET"]),
        Route("/feed/{token}.xml", reader_atom, methods=["GET"]),
        Route("/feed/{token}.json", reader_json, methods=["GET"]),
        Route("/feed/new/{token}", new_address, methods=["POST"]),
    ]


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _base(store: Store) -> str:
    return store.settings.web.base_url.rstrip("/")


def feed_context(store: Store, sub: Subscriber, preferences_token: str) -> dict[str, Any]:
    """What the preferences page shows of the feed: its two URLs and the renewal action."""
    urls = feed_urls(store, sub)
    return {"feed": {"atom": urls.atom, "json": urls.json, "new": f"/feed/new/{preferences_token}"}}


def _reader_of(store: Store, token: str) -> Subscriber | None:
    try:
        subscriber_id, generation = tokens.open_feed_token(store.settings.signing_key(), token)
    except ValidationError:
        return None
    sub = SubscriberRepo(store).get(subscriber_id)
    return sub if sub is not None and sub.feed_generation == generation else None


def reader_atom(request: Request) -> Response:
    """A reader's digests as Atom."""
    return _reader(request, "xml")


def reader_json(request: Request) -> Response:
    """A reader's digests as JSON Feed."""
    return _reader(request, "json")


def top_atom(request: Request) -> Response:
    """The day's top stories as Atom."""
    return _top(request, "xml")


def top_json(request: Request) -> Response:
    """The day's top stories as JSON Feed."""
    return _top(request, "json")


def _reader(request: Request, form: Form) -> Response:
    store = _store(request)
    sub = _reader_of(store, request.path_params["token"])
    if sub is None:
        raise HTTPException(404)
    basis = reader_basis(store, sub, form)
    headers = {**basis.validators.headers(), "Cache-Control": READER_CACHE}
    headers["X-Robots-Tag"] = "noindex"
    if _current(request, basis.validators):
        return Response(status_code=304, headers=headers)
    feed = reader_feed(store, sub, basis, feed_urls(store, sub))
    return _answer(feed, form, headers)


def _top(request: Request, form: Form) -> Response:
    store = _store(request)
    asked = request.query_params.get("lang")
    lang = (normalize_language(asked) if asked else None) or DEFAULT_LANGUAGE
    basis = top_basis(store, lang, form)
    headers = {**basis.validators.headers(), "Cache-Control": TOP_CACHE}
    if _current(request, basis.validators):
        return Response(status_code=304, headers=headers)
    base = _base(store)
    query = "" if lang == DEFAULT_LANGUAGE else f"?lang={lang}"
    urls = FeedUrls(base, f"{base}/feed/top.xml{query}", f"{base}/feed/top.json{query}")
    return _answer(top_feed(store, basis, urls), form, headers)


def _current(request: Request, validators: Validators) -> bool:
    return not_modified(
        validators,
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
    )


def _answer(feed: Feed, form: Form, headers: dict[str, str]) -> Response:
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"  # a reader's feed URL is its password
    if form == "xml":
        return Response(atom.atom_xml(feed), media_type=atom.CONTENT_TYPE, headers=headers)
    return Response(jsonfeed.json_feed(feed), media_type=jsonfeed.CONTENT_TYPE, headers=headers)


def new_address(request: Request) -> Response:
    """Give the reader of a preferences link a new feed URL; the old ones stop working."""
    store = _store(request)
    token = request.path_params["token"]
    try:
        subscriber_id = tokens.verify(store.settings.signing_key(), "preferences", token)
    except ValidationError:
        raise HTTPException(404) from None
    if SubscriberRepo(store).new_feed_address(subscriber_id) is None:
        raise HTTPException(404)
    return RedirectResponse(f"/preferences/{token}?feed=new#feed", status_code=303)
