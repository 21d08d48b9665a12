"""The Slack app: ``/aitoday`` commands, digest buttons, App Home, DMs, OAuth, uninstall.

One slack-bolt ``AsyncApp`` served at ``/slack/events`` (events, commands, interactivity),
``/slack/install`` and ``/slack/oauth_redirect``. Two modes, chosen by the settings:

* one workspace: ``AITODAY_SLACK__BOT_TOKEN`` (and the signing secret);
* many workspaces: ``AITODAY_SLACK__CLIENT_ID`` / ``CLIENT_SECRET``; installations and
  OAuth states live in Redis (:mod:`bots.slack.install_store`).

Before Bolt sees a request we check its signature ourselves, to count refusals by reason
(bad signature, stale timestamp) and to drop exact replays and retried events we already
handled. Slow work (stories, briefs) runs after the ack (lazy listeners; for ``/aitoday``
a task the ack listener starts, which skips Bolt's per-lazy-listener copy of the request),
and the commands themselves in a worker thread (:mod:`bots.offload`), so ``ack`` is
immediate; ``/aitoday help`` is answered inside the acknowledgement itself. Bolt runs with
``process_before_response``: the ack function runs inline and the HTTP answer leaves as
soon as it returns (otherwise Bolt polls for the ack every 10 ms); lazy listeners go on
as tasks.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bots.offload import acks, answer_off_loop, answer_to_response_url
from bots.slack import blocks
from bots.slack.install_store import RedisInstallationStore, RedisOAuthStateStore
from bots.slack.render import escape
from core import feedback as core_feedback
from core import metrics
from core.commands import Chat, Reply, subscriber_of, usage
from core.errors import ValidationError
from core.i18n import label, normalize_language
from core.models import Brief, ChannelStatus, Story, Subscriber, short_hash
from core.preferences import apply_setting
from core.store.base import Store
from core.store.briefs import BriefRepo
from core.store.keys import WEBHOOK_DEDUPE_TTL
from core.store.limits import LimitRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo

log = logging.getLogger(__name__)

COMMAND = "/aitoday"
SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "im:history",
    "links:read",  # link_shared events for the brief pages' domain
    "links:write",  # chat.unfurl: a shared /s/{id} link unfolds into its brief card
]
MAX_SKEW = 300  # seconds: Slack's own rule for request timestamps
REPLAY_TTL = 2 * MAX_SKEW
# Starting or stopping the channel's digest is answered for everyone to see; settings
# (time, topics, mutes) concern only the sender, and an in-channel echo of them let any
# member make the bot post whatever they typed.
IN_CHANNEL = {"subscribe", "unsubscribe"}
ACTION_UNDO = "feedback_undo"  # the button under a more/less confirmation


# -- building the app -------------------------------------------------------------------


def build_app(store: Store) -> AsyncApp | None:
    """The Bolt app for these settings, or None when Slack is not configured."""
    slack = store.settings.slack
    if slack.signing_secret is None:
        return None
    token = slack.bot_token.get_secret_value() if slack.bot_token else None
    client = AsyncWebClient(
        token=token,
        base_url=slack.api_base or AsyncWebClient.BASE_URL,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
        timeout=10,
    )
    secret = slack.signing_secret.get_secret_value()
    if token is None and slack.client_id and slack.client_secret:
        app = _multi_workspace(store, client, secret)
    elif token is not None:
        app = AsyncApp(signing_secret=secret, client=client, process_before_response=True)
    else:
        return None
    register(app, store)
    return app


def _multi_workspace(store: Store, client: AsyncWebClient, secret: str) -> AsyncApp:
    slack = store.settings.slack
    installs = RedisInstallationStore(store)
    oauth = AsyncOAuthSettings(
        client_id=slack.client_id,
        client_secret=slack.client_secret.get_secret_value() if slack.client_secret else None,
        scopes=SCOPES,
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        redirect_uri=f"{store.settings.web.base_url.rstrip('/')}/slack/oauth_redirect",
        installation_store=installs,
        state_store=RedisOAuthStateStore(store),
    )
    return AsyncApp(
        signing_secret=secret,
        client=client,
        installation_store=installs,
        oauth_settings=oauth,
        process_before_response=True,
    )


def register(app: AsyncApp, store: Store) -> None:
    """Attach every listener to ``app``."""
    app.command(COMMAND)(_command_listener(store))
    app.action("brief_open")(ack=_ack, lazy=[_open_brief(store)])
    app.action("more_like_this")(ack=_ack, lazy=[_feedback(store, more=True)])
    app.action("less_like_this")(ack=_ack, lazy=[_feedback(store, more=False)])
    app.action(ACTION_UNDO)(ack=_ack, lazy=[_undo_feedback(store)])
    app.action("open_page")(_ack)
    app.event("app_home_opened")(ack=_ack, lazy=[_home(store)])
    app.action(re.compile(f"^{blocks.HOME_ACTION}"))(ack=_ack, lazy=[_home_control(store)])
    app.event("link_shared")(ack=_ack, lazy=[_unfurl(store)])
    app.event("message")(ack=_ack, lazy=[_direct_message(store)])
    app.event("app_uninstalled")(_uninstalled(store))
    app.event("tokens_revoked")(_tokens_revoked(store))


# -- slash command ----------------------------------------------------------------------


async def _ack(ack: Any) -> None:
    await ack()


def _first_word(text: str) -> str:
    return (text or "").strip().split(" ", 1)[0].lower()


# Answers started by the command listener; the loop keeps only weak references to tasks.
_answering: set[asyncio.Task[None]] = set()


def _command_listener(store: Store) -> Callable[..., Awaitable[None]]:
    answer_command = _answer_command(store)

    async def command_listener(ack: Any, command: dict[str, Any]) -> None:
        """Acknowledge at once; help is the whole answer, so it rides in the ack.

        Any other command is answered at its response_url by a task started here rather
        than by a Bolt lazy listener: Bolt deep-copies the whole request for each lazy
        listener before the ack leaves, a third of the ack's time under load.
        """
        if _first_word(command.get("text", "")) in ("", "help"):
            reply = usage(_chat(command))
            await ack(response_type="ephemeral", text=_fallback(reply), blocks=_blocks(reply, ""))
            return
        await ack()
        _start(answer_command(command))

    return command_listener


def _start(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(_logged(work))
    _answering.add(task)
    task.add_done_callback(_answering.discard)


async def _logged(work: Coroutine[Any, Any, None]) -> None:
    try:
        await work
    except Exception:  # a failed answer must be seen in the logs, never lost silently
        log.exception("slash command answer failed")


def _answer_command(store: Store) -> Callable[[dict[str, Any]], Coroutine[Any, Any, None]]:
    base = store.settings.web.base_url

    def message(reply: Reply) -> dict[str, Any]:
        kind = "in_channel" if reply.ok and reply.command in IN_CHANNEL else "ephemeral"
        return {"response_type": kind, "text": _fallback(reply), "blocks": _blocks(reply, base)}

    async def answer_command(command: dict[str, Any]) -> None:
        text = command.get("text", "")
        url = str(command.get("response_url") or "")
        await answer_to_response_url(store, _chat(command), text, url, message)

    return answer_command


def _chat(payload: dict[str, Any]) -> Chat:
    team = payload.get("team_id") or (payload.get("team") or {}).get("id") or "-"
    channel = payload.get("channel_id") or (payload.get("channel") or {}).get("id") or "-"
    return Chat("slack", f"{team}/{channel}", payload.get("locale"))


def _fallback(reply: Reply) -> str:
    """The notification text: escaped like the blocks, so ``<!channel>`` or
    ``<http://evil|disguised>`` typed by a member stays text. Cut before escaping, so no
    escape sequence is cut in half."""
    return escape(reply.text[:3000]) or "AIToday"


def _blocks(reply: Reply, base_url: str) -> list[dict[str, Any]]:
    return blocks.reply_blocks(reply, base_url or "http://127.0.0.1")


# -- buttons ----------------------------------------------------------------------------


def _action_value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")[:80]


def _open_brief(store: Store) -> Callable[..., Awaitable[None]]:
    async def open_brief(body: dict[str, Any], respond: Any) -> None:
        chat = _chat(body)
        reply = await answer_off_loop(store, chat, f"brief {_action_value(body)}")
        base = store.settings.web.base_url
        await respond(
            response_type="ephemeral",
            replace_original=False,
            text=_fallback(reply),
            blocks=_blocks(reply, base),
        )

    return open_brief


def _feedback(store: Store, *, more: bool) -> Callable[..., Awaitable[None]]:
    async def feedback(body: dict[str, Any], respond: Any) -> None:
        text, event_id, lang = apply_feedback(store, _chat(body), _action_value(body), more=more)
        answer: dict[str, Any] = {"text": escape(text)}
        if event_id:
            answer["blocks"] = _noted_blocks(escape(text), event_id, lang)
        await respond(response_type="ephemeral", replace_original=False, **answer)

    return feedback


def _noted_blocks(text: str, event_id: str, lang: str) -> list[dict[str, Any]]:
    undo = {
        "type": "button",
        "action_id": ACTION_UNDO,
        "text": {"type": "plain_text", "text": label("feedback_undo", lang)},
        "value": event_id,
    }
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "elements": [undo]},
    ]


def apply_feedback(store: Store, chat: Chat, story_id: str, *, more: bool) -> tuple[str, str, str]:
    """ "More/less like this": record the tap (core.feedback); (reply, event id, language).

    The event id is empty when nothing was recorded (no digest here, story gone)."""
    sub = subscriber_of(store, chat)
    lang = sub.language if sub else normalize_language(chat.language or "") or "en"
    if sub is None:
        return label("feedback_no_digest", lang, command="/aitoday subscribe"), "", lang
    story: Story | None = StoryRepo(store).get(story_id) if story_id else None
    if story is None:
        return label("feedback_story_gone", lang), "", lang
    event = core_feedback.record(store, sub.id, story, "more" if more else "less", "slack")
    return core_feedback.noted_text(store, event, lang), event.id, lang


def _undo_feedback(store: Store) -> Callable[..., Awaitable[None]]:
    async def undo_feedback(body: dict[str, Any], respond: Any) -> None:
        sub = subscriber_of(store, _chat(body))
        if sub is None:
            return
        core_feedback.undo(store, sub.id, _action_value(body))
        text = escape(label("feedback_undone", sub.language))
        await respond(response_type="ephemeral", replace_original=True, text=text)

    return undo_feedback


# -- home, messages ---------------------------------------------------------------------


def _home(store: Store) -> Callable[..., Awaitable[None]]:
    async def home(event: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        user = event.get("user", "")
        team = context.get("team_id") or "-"
        sub: Subscriber | None = subscriber_of(store, Chat("slack", f"{team}/{user}"))
        if sub is None and event.get("channel"):
            sub = subscriber_of(store, Chat("slack", f"{team}/{event['channel']}"))
        await publish_home(store, client, user, sub)

    return home


async def publish_home(
    store: Store, client: AsyncWebClient, user: str, sub: Subscriber | None
) -> None:
    """views.publish the Home tab of ``user``: today's stories and ``sub``'s settings."""
    stories: list[Story] = StoryRepo(store).recent(24.0, limit=blocks.HOME_STORIES)
    view = blocks.home_view(stories, sub, store.settings.web.base_url)
    await client.views_publish(user_id=user, view=view)


def _home_control(store: Store) -> Callable[..., Awaitable[None]]:
    async def home_control(body: dict[str, Any], client: AsyncWebClient) -> None:
        """A tap on a Home control changes that setting, then the tab is drawn again."""
        user = str((body.get("user") or {}).get("id") or "")
        sub = _home_subscriber(store, body)
        setting = blocks.home_setting((body.get("actions") or [{}])[0])
        if sub is not None and setting is not None:
            try:
                sub = apply_setting(sub, *setting)
                SubscriberRepo(store).save(sub)
            except ValidationError as exc:  # a stale control: the fresh tab shows the truth
                log.info("slack home setting refused: %s", exc)
        await publish_home(store, client, user, sub)

    return home_control


def _home_subscriber(store: Store, body: dict[str, Any]) -> Subscriber | None:
    """The digest the Home tab showed (its id in private_metadata), if it is this team's."""
    sub_id = str((body.get("view") or {}).get("private_metadata") or "")
    team = str((body.get("team") or {}).get("id") or body.get("team_id") or "")
    sub = SubscriberRepo(store).get(sub_id) if sub_id and team else None
    if sub is None:
        return None
    ours = any(c.channel == "slack" and c.address.startswith(f"{team}/") for c in sub.channels)
    return sub if ours else None


# -- link unfurling ---------------------------------------------------------------------


def _unfurl(store: Store) -> Callable[..., Awaitable[None]]:
    async def unfurl(event: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        """Shared links to our brief pages unfold into brief cards; others are left alone."""
        team = context.get("team_id") or "-"
        sub = subscriber_of(store, Chat("slack", f"{team}/{event.get('channel', '-')}"))
        lang = sub.language if sub else "en"
        base = store.settings.web.base_url
        cards: dict[str, Any] = {}
        for shared in event.get("links") or []:
            url = str(shared.get("url") or "")
            language = _link_language(url) or lang  # a link to /s/x?lang=ja reads in Japanese
            brief = await _shared_brief(store, url, language)
            if brief is not None:
                cards[url] = {"blocks": blocks.unfurl_blocks(brief, base, language)}
        if not cards:
            return  # an unknown story, or not our page: Slack shows its own preview
        await client.chat_unfurl(unfurls=cards, **_unfurl_target(event))

    return unfurl


def _unfurl_target(event: dict[str, Any]) -> dict[str, Any]:
    # a link still in the composer has no message yet: Slack names it by unfurl_id
    if event.get("source") == "composer" and event.get("unfurl_id"):
        return {"unfurl_id": str(event["unfurl_id"]), "source": "composer"}
    return {"channel": str(event.get("channel") or ""), "ts": str(event.get("message_ts") or "")}


def shared_story_id(base_url: str, url: str) -> str | None:
    """The story id of a link to one of our brief pages (``{base}/s/{id}``), else None."""
    base, link = urlsplit(base_url.rstrip("/")), urlsplit(url)
    if link.scheme not in ("http", "https") or link.hostname != base.hostname:
        return None
    prefix = f"{base.path.rstrip('/')}/s/"
    rest = link.path.removeprefix(prefix) if link.path.startswith(prefix) else ""
    story_id = unquote(rest.rstrip("/"))
    return story_id if story_id and "/" not in story_id and len(story_id) <= 200 else None


def _link_language(url: str) -> str | None:
    for key, value in parse_qsl(urlsplit(url).query):
        if key == "lang":
            return normalize_language(value)
    return None


async def _shared_brief(store: Store, url: str, lang: str) -> Brief | None:
    story_id = shared_story_id(store.settings.web.base_url, url)
    story = StoryRepo(store).get(story_id) if story_id else None
    if story is None:
        return None
    cached = BriefRepo(store).latest(story.id, lang)
    if cached is not None:
        return cached[1]
    from core.briefs.service import brief_for  # imported when first needed: it is heavy

    return (await brief_for(store, story, lang))[1]


def _direct_message(store: Store) -> Callable[..., Awaitable[None]]:
    async def direct_message(event: dict[str, Any], say: Any, context: Any) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        team = context.get("team_id") or "-"
        chat = Chat("slack", f"{team}/{event.get('channel', '-')}")
        reply = await answer_off_loop(store, chat, str(event.get("text") or ""))
        await say(text=_fallback(reply), blocks=_blocks(reply, store.settings.web.base_url))

    return direct_message


# -- uninstall and revocation -----------------------------------------------------------


def _uninstalled(store: Store) -> Callable[..., Awaitable[None]]:
    async def uninstalled(body: dict[str, Any]) -> None:
        team, enterprise = body.get("team_id") or "", body.get("enterprise_id")
        await RedisInstallationStore(store).async_delete_all(enterprise_id=enterprise, team_id=team)
        revoke_workspace(store, team, "app_uninstalled")

    return uninstalled


def _tokens_revoked(store: Store) -> Callable[..., Awaitable[None]]:
    async def tokens_revoked(body: dict[str, Any], event: dict[str, Any]) -> None:
        team, enterprise = body.get("team_id") or "", body.get("enterprise_id")
        installs = RedisInstallationStore(store)
        tokens = event.get("tokens") or {}
        for user_id in tokens.get("oauth") or []:
            await installs.async_delete_installation(
                enterprise_id=enterprise, team_id=team, user_id=user_id
            )
        if tokens.get("bot"):
            await installs.async_delete_bot(enterprise_id=enterprise, team_id=team)
            revoke_workspace(store, team, "tokens_revoked")

    return tokens_revoked


def revoke_workspace(store: Store, team_id: str, reason: str) -> int:
    """Stop deliveries to every Slack channel of a workspace; returns how many stopped."""
    if not team_id:
        return 0
    repo = SubscriberRepo(store)
    stopped = 0
    # Uninstalls are rare: a scan over subscribers is simpler than another index.
    for sub in repo.iter_all():
        for channel in sub.channels:
            if channel.channel != "slack" or not channel.address.startswith(f"{team_id}/"):
                continue
            if channel.status in (ChannelStatus.ACTIVE, ChannelStatus.PENDING):
                repo.set_channel_status(sub.id, "slack", ChannelStatus.REVOKED, reason)
                stopped += 1
    log.info("slack workspace %s: %s, %d channel(s) stopped", team_id, reason, stopped)
    return stopped


# -- the HTTP edge ----------------------------------------------------------------------


def check_signature(
    secret: str, body: bytes, timestamp: str, signature: str, now: float | None = None
) -> str | None:
    """None when Slack signed this body; else the reason ("stale", "signature")."""
    try:
        ts = int(timestamp)
    except ValueError:
        return "signature"
    if abs((now or time.time()) - ts) > MAX_SKEW:
        return "stale"
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, signature) else "signature"


class SeenGuard:
    """Remembers signed requests and event ids already handled.

    The Redis round trip runs in a worker thread so that a slow Redis never holds up the
    other requests on the event loop.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._limits = LimitRepo(store)

    def _set(self, key: str, ttl: int) -> bool:
        return self._limits.first_time(key, ttl)

    async def first_time(self, marker: str, ttl: int) -> bool:
        key = self._store.keys.slack_seen(short_hash(marker))
        return await asyncio.to_thread(self._set, key, ttl)


MAX_BODY = 1_000_000  # Slack payloads are a few KB; refuse anything absurd before reading


def _too_large(request: Request) -> bool:
    try:
        return int(request.headers.get("content-length", "0")) > MAX_BODY
    except ValueError:
        return True


def _event_id(body: bytes, content_type: str) -> str | None:
    if "json" not in content_type:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    event_id = data.get("event_id") if isinstance(data, dict) else None
    return str(event_id) if event_id else None


def slack_routes(store: Store) -> list[Route]:
    """``/slack/events``, ``/slack/install``, ``/slack/oauth_redirect``."""
    app = build_app(store)
    handler = AsyncSlackRequestHandler(app) if app is not None else None
    seen = SeenGuard(store)

    async def events(request: Request) -> Response:
        # Counted from the first byte: an ack waiting on Redis is still an ack in flight.
        with acks.acking():
            return await handle(request)

    async def handle(request: Request) -> Response:
        if handler is None or store.settings.slack.signing_secret is None:
            return PlainTextResponse("Slack is not configured on this server", status_code=503)
        if _too_large(request):
            return PlainTextResponse("request too large", status_code=413)
        body = await request.body()
        secret = store.settings.slack.signing_secret.get_secret_value()
        problem = check_signature(
            secret,
            body,
            request.headers.get("x-slack-request-timestamp", ""),
            request.headers.get("x-slack-signature", ""),
        )
        if problem is None and not await seen.first_time(
            "sig:" + request.headers["x-slack-signature"], REPLAY_TTL
        ):
            problem = "replay"
        if problem is not None:
            metrics.incr(store, "aitoday_webhooks_rejected_total", surface="slack", reason=problem)
            status = 200 if problem == "replay" else 401
            return PlainTextResponse("" if status == 200 else "invalid request", status)
        event_id = _event_id(body, request.headers.get("content-type", ""))
        if event_id and not await seen.first_time("event:" + event_id, WEBHOOK_DEDUPE_TTL):
            return PlainTextResponse("", status_code=200)  # a retry of an event we handled
        return await handler.handle(request)

    async def oauth(request: Request) -> Response:
        if handler is None or store.settings.slack.client_id is None:
            return PlainTextResponse("Slack install is not configured", status_code=404)
        return await handler.handle(request)

    return [
        Route("/slack/events", events, methods=["POST"]),
        Route("/slack/install", oauth, methods=["GET"]),
        Route("/slack/oauth_redirect", oauth, methods=["GET"]),
    ]
