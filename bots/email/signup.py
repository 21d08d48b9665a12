"""E-mail sign-up: double opt-in, one-click unsubscribe, preferences by signed link.

Routes: ``POST /subscribe``, ``GET /confirm/{token}``, ``GET|POST /unsubscribe/{token}``
(GET shows a page with one button; POST is RFC 8058 one-click and takes effect at once),
``GET|POST /preferences/{token}``. Tokens come from ``core.tokens`` with the purposes the
editions room signs: "confirm" ("sub_id@issued_ms", expiring; it loses to any later status
change), "unsubscribe" ("sub_id:channel"), "preferences" (sub_id).

The answer to a sign-up is the same page, after the same work, whether or not the address
is known: the mail that follows differs (a confirmation link, or "you are already in"
with a preferences link), so only the mailbox owner learns anything.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any
from urllib.parse import parse_qs

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bots.email import confirm_mail
from bots.email.signup_limits import PER_ADDRESS, PER_IP, allow
from bots.email.signup_text import (
    channel_name,
    email_error,
    form_errors,
    link_reason,
    message,
    topic_choices,
)
from bots.feedback import learned_context
from bots.feeds import feed_context
from bots.pages import language_choice, page
from core import tokens
from core.errors import ValidationError
from core.i18n import LANGUAGE_NAMES, label
from core.models import CHANNELS, Channel, ChannelStatus, ChannelSub, Subscriber
from core.preferences import (
    apply_setting,
    find_channel,
    new_subscriber,
    set_status,
    validate_email,
    validate_language,
    validate_time,
    validate_timezone,
)
from core.store.base import Store
from core.store.subscribers import SubscriberRepo

log = logging.getLogger(__name__)

CONFIRM_TTL = 3 * 86_400
MAX_FORM_BYTES = 16_384
FREQUENCIES = ("daily", "weekdays", "weekly", "paused")


def routes() -> list[Route]:
    """The sign-up routes, for bots.web."""
    return [
        Route("/subscribe", subscribe, methods=["POST"]),
        Route("/confirm/{token}", confirm, methods=["GET"]),
        Route("/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"]),
        Route("/preferences/{token}", preferences, methods=["GET", "POST"]),
    ]


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _repo(store: Store) -> SubscriberRepo:
    return SubscriberRepo(store)


async def read_form(request: Request) -> dict[str, list[str]]:
    """An url-encoded form body, bounded in size (no multipart: we upload nothing)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise ValidationError("form", "the form is too large")
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def _first(form: dict[str, list[str]], name: str, default: str = "") -> str:
    values = form.get(name)
    return values[0].strip() if values else default


def link(store: Store, purpose: str, payload: str, ttl: int | None = None) -> str:
    """An absolute signed link to one of the token pages (for mails)."""
    return store.settings.web.base_url.rstrip("/") + path(store, purpose, payload, ttl)


def path(store: Store, purpose: str, payload: str, ttl: int | None = None) -> str:
    """The same link as a path (for pages: it works behind any host name)."""
    return f"/{purpose}/{tokens.sign(store.settings.signing_key(), purpose, payload, ttl)}"


# -- sign up ----------------------------------------------------------------------------


async def subscribe(request: Request) -> Response:
    """Start a double opt-in; the answer never says whether the address was known."""
    store = _store(request)
    lang = language_choice(request).lang  # the language of the page the reader filled in
    try:
        form = await read_form(request)
    except ValidationError:
        return _signup_error(request, label("error_form_too_large", lang), {}, status_code=413)
    ip = request.client.host if request.client else "unknown"
    if not allow(store, PER_IP, ip):
        return page(request, "message.html", message(lang, "too_many_signups"), status_code=429)
    try:
        address = validate_email(_first(form, "email"))
    except ValidationError:
        return _signup_error(request, email_error(_first(form, "email"), lang), form)
    task = None
    if not _first(form, "website") and allow(store, PER_ADDRESS, address):
        msg = _signup_mail(store, address, form)
        task = BackgroundTask(confirm_mail.send, store.settings, msg)
    response = page(request, "message.html", message(lang, "check_inbox", "mail", address=address))
    response.background = task
    return response


def _signup_error(
    request: Request, error: str, form: dict[str, list[str]], status_code: int = 400
) -> Response:
    """The landing page again, with the error and everything the reader typed or chose."""
    choices = _choices(form)
    context: dict[str, Any] = {
        "stories": [],
        "languages": LANGUAGE_NAMES,
        "error": error,
        "email": _first(form, "email"),
        "chosen_language": choices.get("language"),
        "chosen_time": choices.get("delivery_time"),
        "slack_install": _store(request).settings.slack.client_id is not None,
        "line_url": _store(request).settings.line.add_friend_url,
        "line_qr": None,
    }
    return page(request, "landing.html", context, status_code=status_code)


def _signup_mail(store: Store, address: str, form: dict[str, list[str]]) -> Any:
    repo = _repo(store)
    sub: Subscriber | None = repo.by_address("email", address)
    if sub is None:
        choices = _choices(form)
        sub = new_subscriber(
            email=address,
            pending=True,
            language=choices.get("language", "en"),
            timezone=choices.get("timezone", "UTC"),
            delivery_time=choices.get("delivery_time", "07:30"),
        )
        repo.add(sub)
    channel = find_channel(sub, "email")
    if channel is not None and channel.status is ChannelStatus.ACTIVE:
        return confirm_mail.already_message(
            store.settings, address, link(store, "preferences", sub.id), sub.language
        )
    # Stamped: the link loses to any status change after it was sent (an unsubscribe).
    confirm_link = link(store, "confirm", tokens.stamped(sub.id), CONFIRM_TTL)
    return confirm_mail.confirm_message(store.settings, address, confirm_link, sub.language)


def _choices(form: dict[str, list[str]]) -> dict[str, str]:
    """Language, time zone and hour from the form; a bad value falls back to the default."""
    choices: dict[str, str] = {}
    for name, check in (
        ("language", validate_language),
        ("timezone", validate_timezone),
        ("delivery_time", validate_time),
    ):
        value = _first(form, name)
        if value:
            with contextlib.suppress(ValidationError):
                choices[name] = check(value)
    return choices


# -- confirm ----------------------------------------------------------------------------


async def confirm(request: Request) -> Response:
    """The double opt-in link: the e-mail channel becomes active."""
    store = _store(request)
    linked = _linked_subscriber(request, store, "confirm")
    if isinstance(linked, Response):
        return linked
    sub, issued = linked
    lang = sub.language
    channel = find_channel(sub, "email")
    if channel is None:
        return _bad_link(request, "link_gone", lang)
    if channel.status is not ChannelStatus.ACTIVE:
        if not _confirms(channel, issued):
            return _bad_link(request, "link_used", lang)
        set_status(channel, ChannelStatus.ACTIVE, "confirmed")
        _repo(store).save(sub)
    context = {
        **message(lang, "subscribed", "check", time=sub.delivery_time, zone=sub.timezone),
        "action_url": path(store, "preferences", sub.id),
        "action_label": label("choose_topics_time", lang),
        "lang": lang,
    }
    return page(request, "message.html", context)


def _confirms(channel: ChannelSub, issued: float) -> bool:
    """Whether a confirmation link issued at ``issued`` may activate ``channel``.

    A pending address is what the link is for. Any later change (an unsubscribe, a
    bounce, or this link's own use followed by one) wins over an older link; a new
    sign-up after an unsubscribe mails a newer link, which does confirm.
    """
    if channel.status is ChannelStatus.PENDING:
        return True
    changed = channel.status_at.timestamp() if channel.status_at is not None else 0.0
    return changed < issued


def _linked_subscriber(
    request: Request, store: Store, purpose: str
) -> tuple[Subscriber, float] | Response:
    """The subscriber a signed link (``purpose``) names and the link's issue time (0.0
    when unstamped), or the page saying why it fails."""
    try:
        payload = tokens.verify(store.settings.signing_key(), purpose, request.path_params["token"])
    except ValidationError as exc:
        return _bad_link(request, link_reason(exc))
    sub_id, issued = tokens.unstamped(payload)
    sub = _repo(store).get(sub_id)
    if sub is None:
        return _bad_link(request, "link_gone")
    return sub, issued


def _bad_link(request: Request, reason: str, setting: str | None = None) -> Response:
    """Why a link fails (``reason`` is a label key), in the reader's language when known."""
    lang = language_choice(request, setting).lang
    context = {
        **message(lang, "bad_link", reason=label(reason, lang)),
        "action_url": "/",
        "action_label": label("go_home", lang),
        "lang": setting,  # None: the page negotiates, and says Vary
    }
    return page(request, "message.html", context, status_code=400)


# -- unsubscribe ------------------------------------------------------------------------


async def unsubscribe(request: Request) -> Response:
    """GET: a page with one button. POST (RFC 8058 one-click, or that button): done."""
    store = _store(request)
    token = request.path_params["token"]
    try:
        payload = tokens.verify(store.settings.signing_key(), "unsubscribe", token)
    except ValidationError as exc:
        return _bad_link(request, link_reason(exc))
    sub_id, _, named = payload.partition(":")
    channel = _channel(named or "email")
    if channel is None:
        return _bad_link(request, "link_invalid")
    repo = _repo(store)
    sub: Subscriber | None = repo.get(sub_id)
    setting = sub.language if sub is not None else None
    lang = language_choice(request, setting).lang
    if request.method == "GET":
        context = {
            "token": token,
            "channel": channel,
            "channel_name": channel_name(channel, lang),
            "lang": setting,
        }
        return page(request, "unsubscribe.html", context)
    if sub is not None and find_channel(sub, channel) is not None:
        repo.set_channel_status(sub_id, channel, ChannelStatus.UNSUBSCRIBED, "unsubscribe link")
    log.info("unsubscribed %s from %s", sub_id, channel)
    context = {
        **message(lang, "unsubscribed", "check"),
        "action_url": path(store, "preferences", sub_id) if sub is not None else "/",
        "action_label": label("preferences" if sub is not None else "go_home", lang),
        "lang": setting,
    }
    return page(request, "message.html", context)


def _channel(name: str) -> Channel | None:
    return next((c for c in CHANNELS if c == name), None)


# -- preferences ------------------------------------------------------------------------


async def preferences(request: Request) -> Response:
    """Time, time zone, language, frequency, topics, muted words and the e-mail switch."""
    store = _store(request)
    linked = _linked_subscriber(request, store, "preferences")
    if isinstance(linked, Response):
        return linked
    sub = linked[0]
    repo = _repo(store)
    errors: dict[str, str] = {}
    saved = False
    status = 200
    if request.method == "POST":
        try:
            form = await read_form(request)
        except ValidationError as exc:
            # A refused form changes nothing: applying an empty one would unsubscribe.
            form, errors, status = {}, {"form": exc.message}, 413
        else:
            updated, errors = apply_form(sub, form)
            if not errors:
                repo.save(updated)
                sub, saved = updated, True
            status = 400 if errors else 200
        errors = form_errors(errors, form, sub.language)
    context = _prefs_context(sub, errors, saved)
    context.update(feed_context(store, sub, request.path_params["token"]))
    context.update(learned_context(request, store, sub))
    return page(request, "preferences.html", context, status)


def apply_form(sub: Subscriber, form: dict[str, list[str]]) -> tuple[Subscriber, dict[str, str]]:
    """The subscriber with every form field applied, and the errors by field name."""
    values = {
        "time": _first(form, "time", sub.delivery_time),
        "tz": _first(form, "timezone", sub.timezone),
        "lang": _first(form, "language", sub.language),
        "frequency": _first(form, "frequency", sub.frequency.value),
        "items": _first(form, "items", str(sub.max_items)),
        "topics": ",".join(form.get("topics", [])),
        "exclude": _first(form, "exclude"),
    }
    email_on = _first(form, "email_active") == "on"
    values["email.status"] = "active" if email_on else "unsubscribed"
    errors: dict[str, str] = {}
    for key, value in values.items():
        if key == "email.status" and find_channel(sub, "email") is None:
            continue
        try:
            sub = apply_setting(sub, key, value)
        except ValidationError as exc:
            errors[key] = exc.message
    return sub, errors


def _prefs_context(sub: Subscriber, errors: dict[str, str], saved: bool) -> dict[str, Any]:
    email = find_channel(sub, "email")
    return {
        "sub": sub,
        "errors": errors,
        "saved": saved,
        "languages": LANGUAGE_NAMES,
        "frequencies": FREQUENCIES,
        "topics": topic_choices(sub.language),
        "email": email,
        "email_active": email is not None and email.status is ChannelStatus.ACTIVE,
        "exclude": ", ".join(sub.prefs.exclude_keywords),
        "lang": sub.language,
    }
