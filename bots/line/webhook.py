"""The LINE bot: ``POST /line/webhook``.

The signature is checked with line-bot-sdk's ``WebhookParser``; the events are then handled
in the background (LINE wants its 200 fast) by our own async dispatch, because the SDK's
``WebhookHandler`` is synchronous. Redeliveries are dropped by ``webhookEventId``. Work is
bounded before the 200: the first MAX_EVENTS events of a body, COMMANDS_PER_MINUTE
commands per user (the body itself is capped by :mod:`bots.body_limit`).

* follow   -> the user becomes a subscriber (language from their profile when known);
              a welcome with quick replies for delivery time and language
              (join: the same for a group or room, which subscribes as a whole)
* unfollow -> their LINE channel is UNSUBSCRIBED (no reply: they blocked us; leave: the
              group removed us)
* text     -> :mod:`core.commands`
* postback -> settings chosen from quick replies ("time=07:30", "lang=ja", "cmd=today");
              a digest's more / less buttons ("more=<story id>", "less=<story id>") record
              a feedback event (core.feedback) and offer "undo=<event id>"
"""

from __future__ import annotations

import logging
import time
from typing import Any

from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    FlexMessage,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhooks import (
    FollowEvent,
    JoinEvent,
    LeaveEvent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
)
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bots.line.limits import LIMITS, MAX_QUICK_REPLIES
from bots.line.render import render_line
from bots.offload import answer_off_loop
from core import feedback as core_feedback
from core import metrics
from core.briefs.text import shorten
from core.commands import Chat, Reply, ensure_subscriber, subscriber_of, suggestion_label
from core.i18n import label
from core.models import ChannelStatus, Edition, short_hash, utcnow
from core.store.base import Store
from core.store.keys import WEBHOOK_DEDUPE_TTL
from core.store.limits import LimitRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo

log = logging.getLogger(__name__)

MAX_TEXT = LIMITS.max_chars - 100  # UTF-16 units: keep a margin for surrogate pairs
MAX_QUICK = MAX_QUICK_REPLIES
TIME_CHOICES = ("06:30", "07:00", "07:30", "08:00", "08:30", "12:00", "18:00", "21:00")
LANGUAGE_CHOICES = (("English", "en"), ("日本語", "ja"), ("繁體中文", "zh-Hant"), ("한국어", "ko"))
REQUEST_TIMEOUT = 10.0
MAX_BODY = 1_000_000  # LINE sends a few KB per webhook; refuse anything absurd unread
# LINE sends a handful of events per request; a signed body of thousands is abuse (one of
# 10,000 ran 7,862 commands and slowed /healthz to ~1 s). Beyond these, events are dropped.
MAX_EVENTS = 100
COMMANDS_PER_MINUTE = 20  # per LINE user: far above a person typing, far below a script


def line_routes(store: Store) -> list[Route]:
    """``/line/webhook``."""

    async def webhook(request: Request) -> Response:
        secret = store.settings.line.channel_secret
        if secret is None:
            return PlainTextResponse("LINE is not configured on this server", status_code=503)
        if _too_large(request):
            return PlainTextResponse("request too large", status_code=413)
        body = (await request.body()).decode("utf-8", "replace")
        signature = request.headers.get("x-line-signature", "")
        try:
            events = WebhookParser(secret.get_secret_value()).parse(body, signature)
        except InvalidSignatureError:
            metrics.incr(
                store, "aitoday_webhooks_rejected_total", surface="line", reason="signature"
            )
            return PlainTextResponse("invalid signature", status_code=400)
        except Exception:  # a signed but malformed body: say so, never a trace
            metrics.incr(store, "aitoday_webhooks_rejected_total", surface="line", reason="body")
            return PlainTextResponse("malformed body", status_code=400)
        fresh = [e for e in bounded(store, events) if first_delivery(store, e)]
        fresh = [e for e in fresh if within_rate(store, e)]
        task = BackgroundTask(dispatch, store, fresh) if fresh else None
        return PlainTextResponse("OK", background=task)

    return [Route("/line/webhook", webhook, methods=["POST"])]


def _too_large(request: Request) -> bool:
    try:
        return int(request.headers.get("content-length") or 0) > MAX_BODY
    except ValueError:
        return True


def bounded(store: Store, events: list[Any]) -> list[Any]:
    """The first MAX_EVENTS events; the rest are counted as refused."""
    if len(events) > MAX_EVENTS:
        dropped = float(len(events) - MAX_EVENTS)
        metrics.incr(
            store, "aitoday_webhooks_rejected_total", dropped, surface="line", reason="events"
        )
        log.warning(
            "LINE webhook with %d events: only the first %d handled", len(events), MAX_EVENTS
        )
    return events[:MAX_EVENTS]


def within_rate(store: Store, event: Any) -> bool:
    """False for a command (text or postback) past its sender's budget for this minute.

    Follows and unfollows are not counted: LINE sends one per change of friendship.
    """
    is_text = isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent)
    if not (is_text or isinstance(event, PostbackEvent)):
        return True
    who = getattr(event.source, "user_id", None) or _address(event) or "-"
    window = str(int(time.time()) // 60)
    key = store.keys.chat_rate("line", short_hash(store.keys.prefix, who), window)
    if LimitRepo(store).hit(key, 60) <= COMMANDS_PER_MINUTE:
        return True
    metrics.incr(store, "aitoday_webhooks_rejected_total", surface="line", reason="rate")
    return False


def first_delivery(store: Store, event: Any) -> bool:
    """False for an event we already handled (LINE redelivers on timeouts)."""
    event_id = getattr(event, "webhook_event_id", None)
    if not event_id:
        return True
    key = store.keys.line_seen(str(event_id)[:64])
    return LimitRepo(store).first_time(key, WEBHOOK_DEDUPE_TTL)


def _configuration(store: Store) -> Configuration:
    line = store.settings.line
    token = line.channel_access_token.get_secret_value() if line.channel_access_token else ""
    if line.api_base:
        return Configuration(access_token=token, host=line.api_base.rstrip("/"))
    return Configuration(access_token=token)


async def dispatch(store: Store, events: list[Any]) -> None:
    """Handle events in order; one failing event never stops the others."""
    async with AsyncApiClient(_configuration(store)) as client:
        api = AsyncMessagingApi(client)
        for event in events:
            try:
                await handle(store, api, event)
            except Exception:
                log.exception("LINE event %s failed", type(event).__name__)


def _address(event: Any) -> str | None:
    source = event.source
    return (
        getattr(source, "group_id", None)
        or getattr(source, "room_id", None)
        or getattr(source, "user_id", None)
    )


async def handle(store: Store, api: AsyncMessagingApi, event: Any) -> None:
    """One webhook event."""
    address = _address(event)
    if address is None:
        return
    if isinstance(event, UnfollowEvent | LeaveEvent):
        unfollow(store, address)
        return
    base = store.settings.web.base_url
    if isinstance(event, FollowEvent | JoinEvent):
        # A group or room that adds the bot subscribes as a whole (address: its id).
        language = await _profile_language(api, address)
        welcome = follow(store, Chat("line", address, language))
        await reply(api, event.reply_token, welcome, base)
        return
    if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
        answered = await answer_off_loop(store, Chat("line", address), event.message.text)
        await reply(api, event.reply_token, answered, base)
        return
    if isinstance(event, PostbackEvent):
        tapped = feedback_postback(store, address, event.postback.data)
        if tapped is not None:
            await reply(api, event.reply_token, tapped, base)
            return
        command = postback_command(event.postback.data)
        answered = await answer_off_loop(store, Chat("line", address), command)
        await reply(api, event.reply_token, answered, base)


def follow(store: Store, chat: Chat) -> Reply:
    """A new friend: subscribe them and offer the two choices that matter first."""
    sub, _created = ensure_subscriber(store, chat)
    text = (
        "Welcome to AIToday: 5 minutes a day, the AI essentials.\n"
        f"Your digest arrives daily at {sub.delivery_time} ({sub.timezone}). "
        "Pick a time or a language below, or type “help”."
    )
    suggestions = [f"time={t}" for t in TIME_CHOICES[:6]] + [
        f"lang={code}" for _name, code in LANGUAGE_CHOICES
    ]
    return Reply("follow", text, suggestions=suggestions[:MAX_QUICK], language=sub.language)


def unfollow(store: Store, address: str) -> None:
    """They blocked or removed us: stop at once."""
    sub = subscriber_of(store, Chat("line", address))
    if sub is None:
        return
    SubscriberRepo(store).set_channel_status(sub.id, "line", ChannelStatus.UNSUBSCRIBED, "unfollow")


def feedback_postback(store: Store, address: str, data: str) -> Reply | None:
    """The answer to a more / less / undo postback (None: the postback is something else).

    The confirmation keeps today's words, in the reader's language, with an undo quick
    reply right after a tap."""
    key, _, value = (data or "").partition("=")
    direction = core_feedback.parse_direction(key)
    if direction is None and key != "undo":
        return None
    sub = subscriber_of(store, Chat("line", address))
    if sub is None:
        return Reply("feedback", label("feedback_no_digest", "en", command="subscribe"))
    if direction is None:
        core_feedback.undo(store, sub.id, value[:40])
        return Reply("feedback", label("feedback_undone", sub.language), language=sub.language)
    story = StoryRepo(store).get(value[:80]) if value else None
    if story is None:
        text = label("feedback_story_gone", sub.language)
        return Reply("feedback", text, language=sub.language)
    tap = core_feedback.record(store, sub.id, story, direction, "line")
    text = core_feedback.noted_text(store, tap, sub.language)
    return Reply("feedback", text, suggestions=[f"undo={tap.id}"], language=sub.language)


def postback_command(data: str) -> str:
    """ "time=07:30" -> "time 07:30"; "cmd=today" -> "today"; anything else -> "help"."""
    key, _, value = (data or "").partition("=")
    if key == "cmd":
        return value[:200]
    if key in ("time", "tz", "lang", "follow", "mute") and value:
        return f"{key} {value[:100]}"
    return "help"


async def _profile_language(api: AsyncMessagingApi, user_id: str) -> str | None:
    if not user_id.startswith("U"):
        return None
    try:
        profile = await api.get_profile(user_id, _request_timeout=REQUEST_TIMEOUT)
    except Exception:  # the profile is a nicety: follow works without it
        return None
    language = getattr(profile, "language", None)
    return str(language) if language else None


def render_text(reply: Reply, base_url: str) -> str:
    """A reply as LINE text: stories get their brief page links, briefs their key points."""
    base = base_url.rstrip("/")
    if reply.briefs:
        brief = reply.briefs[0]
        points = brief.key_points
        parts = [brief.headline, "", brief.key_takeaway, "", points.what_happened]
        parts += [p for p in (points.why_it_matters, points.what_to_watch) if p]
        parts += ["", f"{base}/s/{brief.story_id}"]
        text = "\n".join(parts)
    elif reply.stories:
        lines = [reply.text.splitlines()[0] if reply.text else ""]
        for n, story in enumerate(reply.stories, 1):
            lines.append(f"{n}. {story.title}\n{base}/s/{story.id}")
        text = "\n".join(lines)
    else:
        text = reply.text
    return text[:MAX_TEXT]


def quick_reply(suggestions: list[str], lang: str = "en") -> QuickReply | None:
    """Suggestions as LINE quick replies, labelled in ``lang``: "key=value" ones are
    postbacks as they are, a command ("brief 1") is the postback ``cmd=brief 1``."""
    items = []
    for suggestion in suggestions[:MAX_QUICK]:
        key, eq, value = suggestion.partition("=")
        if key == "undo":
            undo = label("feedback_undo", lang)
            action: Any = PostbackAction(label=undo[:20], data=suggestion, display_text=undo)
        elif eq:
            name = dict((code, n) for n, code in LANGUAGE_CHOICES).get(value, value)
            action = PostbackAction(label=name[:20], data=suggestion, display_text=f"{key} {value}")
        else:
            words = shorten(suggestion_label(suggestion, lang), 20)
            action = PostbackAction(label=words, data=f"cmd={suggestion}", display_text=words)
        items.append(QuickReplyItem(action=action))
    return QuickReply(items=items) if items else None


async def reply(
    api: AsyncMessagingApi, reply_token: str | None, answered: Reply, base_url: str
) -> None:
    """Send one reply (replies are free; pushes count against the monthly quota)."""
    if not reply_token:
        return
    messages: list[Any] = [
        TextMessage(
            text=render_text(answered, base_url),
            quick_reply=quick_reply(answered.suggestions, answered.language),
        )
    ]
    if answered.briefs:
        messages = [FlexMessage.from_dict(m) for m in brief_flex(answered, base_url)]
    await api.reply_message(
        ReplyMessageRequest(reply_token=reply_token, messages=messages[:5]),
        _request_timeout=REQUEST_TIMEOUT,
    )


def brief_flex(answered: Reply, base_url: str) -> list[dict[str, Any]]:
    """A brief as the digest shows it: the delivery room's Flex bubble, with quick replies."""
    now = utcnow()
    edition = Edition(
        id="reply",
        channel="line",
        language=answered.language,
        slot=now,
        created_at=now,
        day=answered.day,  # the reader's date in the altText, not the UTC one
        items=[],
        briefs=answered.briefs[:1],
    )
    return render_line(edition, base_url=base_url)
