"""Rendering web pages: the Jinja2 environment, the page helper and the brief page view."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from core.accept_language import LanguageChoice, choose_language
from core.config import Settings
from core.i18n import label, relative_time
from core.models import Brief, utcnow
from core.render.common import key_points_heading, safe_image
from core.store.base import Store
from core.store.sources import SourceRepo
from core.store.stories import StoryRepo
from core.stories.reasons import describe, story_reason

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
SIGNUP_URL = "/#signup"  # the landing page's sign-up card
SOURCE_COUNT_SECONDS = 60.0
_SOURCE_COUNTS: dict[str, tuple[float, int]] = {}  # sources key -> (when counted, count)


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    """The page templates; autoescaping is on for every .html template."""
    env_templates = Jinja2Templates(directory=TEMPLATES)
    env_templates.env.globals["label"] = label
    env_templates.env.globals["relative_time"] = relative_time
    env_templates.env.filters["web_url"] = web_url
    return env_templates


def web_url(url: str) -> str:
    """``url`` when it is an http(s) link, else "#": no javascript: or data: in a page."""
    return url if urlsplit(url).scheme in ("http", "https") else "#"


def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """Render ``name`` with ``context``; pages are never cached by proxies.

    ``context["lang"]``, when given, is the reader's stored language; otherwise the page
    speaks what ``?lang=`` or the browser asks for (see :func:`language_choice`), and an
    answer chosen by Accept-Language says so in ``Vary``.
    """
    choice = language_choice(request, context.get("lang"))
    context["lang"] = choice.lang
    # Links within the site keep a language picked with ?lang= (the switcher).
    context.setdefault("lang_query", f"?lang={choice.lang}" if choice.by == "query" else "")
    response = templates().TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Language"] = choice.lang
    if choice.negotiated:
        response.headers.append("Vary", "Accept-Language")
    return response


def language_choice(request: Request, setting: str | None = None) -> LanguageChoice:
    """The reader's ``setting`` when the page knows the reader, else ``?lang=``, else the
    browser's Accept-Language, else English."""
    return choose_language(
        setting, request.query_params.get("lang"), request.headers.get("accept-language")
    )


def reader_language(request: Request) -> str:
    """``?lang=`` first, then the browser's Accept-Language, else English."""
    return language_choice(request).lang


async def brief_view(
    request: Request,
    store: Store,
    story_id: str,
    extra: Callable[[str], Mapping[str, Any]] | None = None,
) -> Response:
    """The brief page of one story, or a friendly 404; ``extra(lang)`` adds to the page
    (the reader's more / less buttons: bots.feedback)."""
    from core.briefs.service import brief_for  # imported when first needed: it is heavy

    lang = reader_language(request)
    story = StoryRepo(store).get(story_id) if _plausible_id(story_id) else None
    if story is None:
        missing: dict[str, Any] = {
            "title": label("story_not_found_title", lang),
            "body": label("story_not_found_body", lang),
        }
        return page(request, "message.html", missing, status_code=404)
    _key, brief = await brief_for(store, story, lang)
    context: dict[str, Any] = {
        "brief": brief,
        "story": story,
        "reading": reading_minutes(brief),
        # the page is public: why this story from the story alone, never a reader's prefs
        "reason": describe(
            story_reason(story, now=utcnow()), lang, names=[s.name for s in brief.sources]
        ),
        **brief_parts(brief, lang),
        **signup_context(store, lang),
        **(extra(lang) if extra else {}),
    }
    return page(request, "brief.html", context)


def brief_parts(brief: Brief, lang: str) -> dict[str, Any]:
    """The key points present (label, text) under their heading, and the lead image."""
    kp = brief.key_points
    present = [
        (label(key, lang), text.strip())
        for key, text in (
            ("what_happened", kp.what_happened),
            ("why_it_matters", kp.why_it_matters),
            ("what_to_watch", kp.what_to_watch),
        )
        if text and text.strip()
    ]
    image = safe_image(brief.image)
    link = image.link if image and image.link else None
    return {
        "points": present,
        "points_heading": key_points_heading(len(present), lang),
        "image": image,
        "image_link": web_url(link) if link else None,
    }


def signup_context(store: Store, lang: str) -> dict[str, Any]:
    """What the sign-up prompts say: the real number of sources and this server's channels."""
    return {
        "signup_url": SIGNUP_URL,
        "source_count": enabled_sources(store),
        "channels": offered_channels(store.settings, lang),
    }


def enabled_sources(store: Store) -> int:
    """How many sources are enabled, counted at most once a minute per store: reading
    and parsing every source (~8 ms for 324) on each page view would be waste."""
    key = store.keys.sources()
    now = time.monotonic()
    cached = _SOURCE_COUNTS.get(key)
    if cached is not None and now - cached[0] < SOURCE_COUNT_SECONDS:
        return cached[1]
    count = sum(1 for source in SourceRepo(store).all() if source.enabled)
    _SOURCE_COUNTS[key] = (now, count)
    return count


def offered_channels(settings: Settings, lang: str) -> list[str]:
    """The channels a reader can sign up for here: e-mail always (the landing page's form;
    without SMTP the mail goes to the outbox), Slack and LINE when they are configured."""
    channels = [label("channel_email", lang)]
    line = settings.line
    if line.channel_access_token is not None or line.add_friend_url:
        channels.append("LINE")
    slack = settings.slack
    if slack.bot_token is not None or slack.client_id is not None:
        channels.append("Slack")
    return channels  # the seed page's order: Email / LINE / Slack


def reading_minutes(brief: Brief) -> int:
    """Minutes to read the brief itself (about 200 words a minute, at least one)."""
    words = " ".join(
        [
            brief.dek,
            brief.key_takeaway,
            brief.key_points.what_happened,
            brief.key_points.why_it_matters or "",
            brief.key_points.what_to_watch or "",
            *(f"{item.question} {item.answer}" for item in brief.faq),
        ]
    ).split()
    return max(1, round(len(words) / 200))


def _plausible_id(story_id: str) -> bool:
    return 0 < len(story_id) <= 80 and all(c.isalnum() or c in "-_" for c in story_id)
