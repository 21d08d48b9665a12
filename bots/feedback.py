"""More / less like this on the web: the e-mail's signed links, the brief page's buttons,
undo, and the preferences page's learned preferences.

Routes (the token is :func:`core.tokens.feedback_token`, signed per recipient when a mail
is composed; no login)::

    GET  /s/{story}?t=TOKEN[&tap=more|less]   the brief page with the buttons (bots.pages);
                                             with ``tap``: a one-tap confirm, nothing saved
    POST /feedback/{token}/{story}/{more|less} record the tap -> the brief page, with undo
    GET  /feedback/{token}/{story}/{more|less} -> the brief page's confirm (records nothing)
    POST /feedback/{token}/undo/{event}        remove one tap (back: a story or preferences)
    POST /feedback/{token}/reset               forget every tap -> the preferences page

Why a GET never records: mail scanners (Outlook Safe Links, Mimecast, Proofpoint, ...)
open every link of a mail before the reader does. Recording on GET would count a "more"
and a "less" for every story of every scanned mail; a confirm button that POSTs is one
tap for the reader and nothing for a scanner.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bots.email.signup_text import link_reason
from bots.pages import language_choice, page
from core import feedback, tokens
from core.errors import ValidationError
from core.i18n import label
from core.models import FeedbackEvent, Subscriber
from core.store.base import Store
from core.store.feedback import FeedbackRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo

__all__ = ["brief_feedback", "learned_context", "routes"]

log = logging.getLogger(__name__)

MAX_ID = 80
MAX_FORM = 1024  # an undo form holds one short field


def routes() -> list[Route]:
    """The feedback routes, for bots.web."""
    return [
        Route("/feedback/{token}/undo/{event_id}", undo_tap, methods=["POST"]),
        Route("/feedback/{token}/reset", reset_taps, methods=["POST"]),
        Route("/feedback/{token}/{story_id}/{direction}", tap, methods=["GET", "POST"]),
    ]


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _reader(store: Store, token: str) -> Subscriber:
    """The subscriber a feedback token names; ValidationError when forged, expired or gone."""
    sub_id = tokens.verify(store.settings.signing_key(), "feedback", token)
    sub = SubscriberRepo(store).get(sub_id)
    if sub is None:
        raise ValidationError("token", "this subscription no longer exists")
    return sub


def _bad(
    request: Request, reason: str, status_code: int = 400, setting: str | None = None
) -> Response:
    """A refused tap or undo: ``reason`` is a label key, worded in the page's language
    (the reader's ``setting`` when known)."""
    lang = language_choice(request, setting).lang
    context = {
        "title": label("feedback_bad_link", lang),
        "body": label(reason, lang),
        "action_url": "/",
        "action_label": label("go_home", lang),
    }
    return page(request, "message.html", context, status_code=status_code)


def brief_url(story_id: str, token: str, **query: str) -> str:
    """The brief page of ``story_id`` for the reader of ``token``."""
    return f"/s/{quote(story_id, safe='')}?{urlencode({'t': token, **query})}"


async def tap(request: Request) -> Response:
    """GET: the brief page's confirm (a scanner's visit records nothing). POST: record."""
    store = _store(request)
    token = request.path_params["token"]
    story_id = request.path_params["story_id"][:MAX_ID]
    direction = feedback.parse_direction(request.path_params["direction"])
    if direction is None:
        return _bad(request, "link_invalid", 404)
    if request.method == "GET":
        return RedirectResponse(brief_url(story_id, token, tap=direction), status_code=303)
    try:
        sub = _reader(store, token)
    except ValidationError as exc:
        return _bad(request, link_reason(exc))
    story = StoryRepo(store).get(story_id)
    if story is None:
        return _bad(request, "feedback_story_gone", 404, sub.language)
    event = feedback.record(store, sub.id, story, direction, "web")
    log.info("feedback %s from %s on %s", direction, sub.id, story.id)
    return RedirectResponse(brief_url(story.id, token, noted=event.id), status_code=303)


async def undo_tap(request: Request) -> Response:
    """Remove one tap, then back to the brief page or the preferences page."""
    store = _store(request)
    token = request.path_params["token"]
    try:
        sub = _reader(store, token)
    except ValidationError as exc:
        return _bad(request, link_reason(exc))
    feedback.undo(store, sub.id, request.path_params["event_id"][:MAX_ID])
    back = await _back(request)
    if back == "preferences":
        return RedirectResponse(_preferences_url(store, sub, "undone"), status_code=303)
    return RedirectResponse(brief_url(back, token, undone="1"), status_code=303)


async def reset_taps(request: Request) -> Response:
    """Forget every tap, then the preferences page says so."""
    store = _store(request)
    try:
        sub = _reader(store, request.path_params["token"])
    except ValidationError as exc:
        return _bad(request, link_reason(exc))
    feedback.reset(store, sub.id)
    return RedirectResponse(_preferences_url(store, sub, "reset"), status_code=303)


async def _back(request: Request) -> str:
    """Where an undo returns: the story of the brief page it came from, or preferences."""
    body = await request.body()
    values = parse_qs(body[:MAX_FORM].decode("utf-8", "replace")).get("back") or [""]
    back = values[0][:MAX_ID]
    plausible = all(c.isalnum() or c in "-_" for c in back)
    return back if back and plausible else "preferences"


def _preferences_url(store: Store, sub: Subscriber, done: str) -> str:
    signed = tokens.sign(store.settings.signing_key(), "preferences", sub.id)
    return f"/preferences/{signed}?feedback={done}#learned"


# -- what the pages show ----------------------------------------------------------------


def brief_feedback(request: Request, store: Store, story_id: str, lang: str) -> dict[str, Any]:
    """The brief page's feedback bar for a reader who came with their signed token:
    the buttons, a one-tap confirm (``?tap=``), or the note of a tap with its undo."""
    token = request.query_params.get("t")
    if not token:
        return {}
    try:
        sub = _reader(store, token)
    except ValidationError as exc:
        return {"feedback_error": exc.message}
    base = f"/feedback/{token}/{quote(story_id, safe='')}"
    bar: dict[str, Any] = {
        "more_action": f"{base}/more",
        "less_action": f"{base}/less",
        "tap": feedback.parse_direction(request.query_params.get("tap", "")),
        "undone": request.query_params.get("undone") == "1",
    }
    noted = _event(store, sub, request.query_params.get("noted", ""))
    if noted is not None:
        bar["noted_text"] = feedback.noted_text(store, noted, lang)
        bar["undo_action"] = f"/feedback/{token}/undo/{noted.id}"
    return {"feedback": bar}


def _event(store: Store, sub: Subscriber, event_id: str) -> FeedbackEvent | None:
    if not event_id:
        return None
    return next((e for e in FeedbackRepo(store).events(sub.id) if e.id == event_id), None)


def learned_context(request: Request, store: Store, sub: Subscriber) -> dict[str, Any]:
    """The preferences page's learned preferences, the taps, and the forms that undo them."""
    view = feedback.learned_view(store, sub.id)
    token = tokens.feedback_token(store.settings.signing_key(), sub.id)
    done = request.query_params.get("feedback")
    return {
        "learned": view,
        "learned_more": ", ".join(view.more),
        "learned_less": ", ".join(view.less),
        "learned_taps": [
            {
                "event": event,
                "what": feedback.tap_line(store, event, sub.language),
                "undo_action": f"/feedback/{token}/undo/{event.id}",
            }
            for event in view.events[:20]
        ],
        "learned_reset_action": f"/feedback/{token}/reset",
        "learned_done": done if done in ("reset", "undone") else None,
    }
