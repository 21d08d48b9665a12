"""The one ASGI app: Slack, LINE, the e-mail sign-up pages, the brief page, health, metrics.

``create_app(settings)`` mounts every inbound route (the route table in README.md).
Settings are read by the caller (``aitoday web``) and passed in; the store is opened once
here. Each surface lives in its own module and contributes its routes; this file holds
the pages that belong to no chat: the landing page, the brief page, ``/healthz`` and
``/metrics``.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bots import feedback
from bots.body_limit import BodyLimit
from bots.email import bounces, signup
from bots.feeds import routes as feed_routes
from bots.line.webhook import line_routes
from bots.pages import brief_view, language_choice, page, templates
from bots.slack.app import slack_routes
from core import metrics
from core.config import Settings
from core.i18n import LANGUAGE_NAMES, label
from core.ingest.sources import default_sources
from core.store.base import Store, open_store
from core.store.stories import StoryRepo

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    """The web process: every inbound route, sharing one store."""
    store = store or open_store(settings, shipped_sources=default_sources)
    routes = [
        Route("/", landing, methods=["GET"]),
        Route("/s/{story_id}", brief_page, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
        *signup.routes(),
        *feedback.routes(),
        *feed_routes(),
        *bounces.routes(),
        *slack_routes(store),
        *line_routes(store),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        # Bodies are capped per route while they stream, before any route reads them.
        middleware=[Middleware(BodyLimit)],
        exception_handlers={404: not_found, 500: server_error},
        lifespan=freeze_startup_heap,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.templates = templates()
    return app


@asynccontextmanager
async def freeze_startup_heap(app: Starlette) -> AsyncIterator[None]:
    """Move every object alive at startup into the GC's permanent generation.

    The process imports a large heap (Bolt, slack_sdk, the LINE SDK's pydantic models,
    Jinja): a full (generation 2) collection walked all of it and stopped every thread
    for ~300 ms, and the allocations of a burst of slash commands trigger one. Those
    objects live as long as the process, so they need never be scanned again.
    """
    gc.freeze()
    yield


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for forwarded headers: believed only from the configured proxies.

    uvicorn's default trusts X-Forwarded-For from 127.0.0.1, so with no proxy in front any
    local client could claim any address and step around the per-IP sign-up limit.
    """
    proxies = settings.web.trusted_proxies
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": ",".join(proxies) or None}


def app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory`` (several worker processes read the environment)."""
    from core.config import load_settings

    return create_app(load_settings())


def store_of(request: Request) -> Store:
    """The app's store (set by :func:`create_app`)."""
    store: Store = request.app.state.store
    return store


async def landing(request: Request) -> Response:
    """Sign up by e-mail, add to Slack, add the LINE bot; today's top stories."""
    store = store_of(request)
    settings = store.settings
    context: dict[str, Any] = {
        "stories": _top_stories(store),
        "slack_install": settings.slack.client_id is not None,
        "line_url": settings.line.add_friend_url,
        "line_qr": _qr_svg(settings.line.add_friend_url),
        "languages": LANGUAGE_NAMES,
        "error": None,
        "email": "",
    }
    return page(request, "landing.html", context)


def _top_stories(store: Store) -> list[Any]:
    try:
        stories: list[Any] = StoryRepo(store).recent(72, limit=6)
    except Exception:  # the landing page must render even when stories cannot be read
        log.exception("landing: cannot read recent stories")
        return []
    return stories


def _qr_svg(url: str | None) -> str | None:
    if not url:
        return None
    import segno

    svg: str = segno.make(url, error="m").svg_inline(scale=4, dark="#111827", light=None)
    return svg


async def brief_page(request: Request) -> Response:
    """``/s/{story_id}``: the brief in the AIToday format, in the reader's language; with
    the reader's signed token (``?t=``, from their digest), more / less like this."""
    store, story_id = store_of(request), request.path_params["story_id"]

    def buttons(lang: str) -> dict[str, Any]:
        return feedback.brief_feedback(request, store, story_id, lang)

    return await brief_view(request, store, story_id, buttons)


async def healthz(request: Request) -> Response:
    """200 when Redis answers, 503 otherwise."""
    try:
        store_of(request).ping()
    except Exception as exc:
        return JSONResponse({"ok": False, "redis": type(exc).__name__}, status_code=503)
    return JSONResponse({"ok": True})


async def metrics_page(request: Request) -> Response:
    """The Redis-backed counters in the Prometheus text format."""
    store = store_of(request)
    body = metrics.exposition(store, metrics.depth_gauges(store))
    return PlainTextResponse(body, media_type="text/plain; version=0.0.4; charset=utf-8")


async def not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith(("/slack/", "/line/")):
        return PlainTextResponse("not found", status_code=404)
    lang = language_choice(request).lang
    context = {
        "title": label("page_not_found_title", lang),
        "body": label("page_not_found_body", lang),
    }
    return page(request, "message.html", context, status_code=404)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s: %s", request.url.path, type(exc).__name__)
    lang = language_choice(request).lang
    context = {
        "title": label("server_error_title", lang),
        "body": label("server_error_body", lang),
    }
    return page(request, "message.html", context, status_code=500)
