"""A fake Slack Web API: a real local HTTP server that records and checks every call.

It answers the methods AIToday uses (auth.test, chat.postMessage, chat.postEphemeral,
chat.unfurl, views.publish, oauth.v2.access, conversations.info, users.info) the way Slack
does:
HTTP 200 with ``{"ok": false, "error": CODE}`` for platform errors, HTTP 429 with
``Retry-After`` when rate limited. Every message is checked against Slack's published
limits (50 blocks per message and 100 in views, 3,000 chars per section text, 150 per
header, a ``text`` fallback next to ``blocks``, button sizes); a payload that breaks one
is refused with ``invalid_blocks`` / ``msg_too_long`` / ``missing_text_fallback`` and
listed in :attr:`FakeSlack.violations`, so a wrong payload fails the test that sent it.
More than :attr:`FakeSlack.channel_burst` messages to one channel within one second get a
429 (Slack allows about one message per second per channel, with short bursts); with
``spacing=S`` every message to a channel (thread replies too) closer than S seconds to the
previous one is listed in :attr:`FakeSlack.violations`.

Threads: a ``thread_ts`` must be the ``ts`` of a top-level message accepted in that
channel, else ``thread_not_found`` (a reply's ts is refused too: Slack has no nested
threads). A message to a user id (``U...``) is answered with the DM's id (``D...``), and
that DM is where its thread is. Views (views.publish): ``type`` "home", at most 100
blocks, ``private_metadata`` <= 3,000 and ``callback_id`` <= 255 characters, the whole
view <= 250 kB (``view_too_large``), ``not_enabled`` when the app's Home tab is off. Unfurls
(chat.unfurl): ``channel`` + ``ts``, or ``unfurl_id`` + ``source`` (the fake reads the
channel and ts out of the id), of a message a test shared with
:meth:`FakeSlack.share_links`; ``unfurls`` maps that message's URLs to
``{"blocks": [...]}``, each checked like a message's blocks; another URL is
``cannot_unfurl_url``.

Use::

    slack = FakeSlack(tokens={"xoxb-test": "T0001"})
    with slack.running() as api_base:           # "http://127.0.0.1:PORT/api/"
        client = AsyncWebClient(token="xoxb-test", base_url=api_base)
        ...
    slack.messages(channel="C1")                 # what was posted there
    slack.fail("chat.postMessage", "channel_not_found", channel="C9")
    slack.rate_limit("chat.postMessage", retry_after=1)
    slack.server_error("chat.postMessage", status=503)
    slack.delay("chat.postMessage", seconds=5)   # the client's timeout fires
    slack.thread("C1", parent_ts)                # the replies in one thread
    ts = slack.share_links("C1", ["https://aitoday.example/s/x"])  # a user posts a link

``FakeSlack(keep_bodies=False)`` keeps only each call's channel and thread (for benchmarks).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.fakes.server import serve

MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTION_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_ACTION_ID = 255
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_MESSAGE_TEXT = 40_000
MAX_PRIVATE_METADATA = 3000
MAX_CALLBACK_ID = 255
MAX_VIEW_BYTES = 250_000
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
SPACING_SLACK = 0.01  # seconds of clock jitter the spacing check forgives
TS = re.compile(r"^\d+\.\d+$")

#: Slack error codes the fake can be told to answer (and what they mean to a sender).
ERROR_CODES = (
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "account_inactive",
    "token_revoked",
    "invalid_auth",
    "not_authed",
    "user_not_found",
    "ratelimited",
    "internal_error",
    "fatal_error",
)

Answer = tuple[int, dict[str, Any], dict[str, str]]  # HTTP status, JSON body, headers

MENTION = re.compile(r"<!(channel|here|everyone)[|>]|<[@#][A-Z0-9]+[|>]|<!subteam\^")


@dataclass
class SlackCall:
    """One request the fake received."""

    method: str
    token: str | None
    args: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float


@dataclass
class _Injection:
    method: str
    times: int
    status: int = 200
    error: str | None = None
    retry_after: float | None = None
    delay: float = 0.0
    channel: str | None = None
    after: int = 0  # matching calls let through before this one applies


@dataclass
class ChannelState:
    """What the fake knows about one conversation."""

    id: str
    name: str = ""
    exists: bool = True
    archived: bool = False
    member: bool = True
    is_im: bool = False


@dataclass
class _State:
    calls: list[SlackCall] = field(default_factory=list)
    injections: list[_Injection] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    recent: dict[str, list[float]] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)
    last_post: dict[str, float] = field(default_factory=dict)
    # (channel, ts) -> the parent's ts for a reply, "" for a top-level message
    posted: dict[tuple[str, str], str] = field(default_factory=dict)
    # (channel, ts) -> the URLs of a message a test shared (what chat.unfurl may unfurl)
    shared: dict[tuple[str, str], list[str]] = field(default_factory=dict)


class FakeSlack:
    """The fake Slack Web API; thread-safe inspection from the test thread."""

    def __init__(
        self,
        tokens: dict[str, str] | None = None,
        *,
        client_id: str = "111.222",
        client_secret: str = "client-secret",
        channel_burst: int = 4,
        spacing: float | None = None,
        keep_bodies: bool = True,
    ) -> None:
        #: bot token -> team id; any other token answers invalid_auth
        self.tokens: dict[str, str] = dict(tokens or {"xoxb-test": "T0001"})
        self.revoked: set[str] = set()
        self.channels: dict[str, ChannelState] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.oauth_codes: dict[str, str] = {}  # code -> team id
        self.client_id = client_id
        self.client_secret = client_secret
        self.channel_burst = channel_burst
        #: seconds two messages to one channel must be apart (None: only the burst rule)
        self.spacing = spacing
        self.home_tab_enabled = True
        # benchmarks post to thousands of channels: keep only the channel and text then
        self.keep_bodies = keep_bodies
        self._state = _State()
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self.base_url = ""
        self.app = Starlette(
            routes=[
                Route("/api/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/response/{hook}", self._response_url, methods=["POST"]),
            ]
        )

    # -- running ------------------------------------------------------------------------
    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve on a free local port; yields the api base URL ending in ``/api/``."""
        with serve(self.app) as base:
            self.base_url = base + "/api/"
            yield self.base_url

    # -- set-up and failure injection ---------------------------------------------------
    def add_token(self, token: str, team_id: str) -> None:
        with self._lock:
            self.tokens[token] = team_id

    def revoke(self, token: str) -> None:
        """Later calls with this token answer ``token_revoked``."""
        with self._lock:
            self.revoked.add(token)

    def set_channel(self, channel_id: str, **state: Any) -> ChannelState:
        """Declare a conversation: exists, archived, member, name, is_im."""
        with self._lock:
            channel = self.channels.get(channel_id) or ChannelState(id=channel_id)
            for key, value in state.items():
                setattr(channel, key, value)
            self.channels[channel_id] = channel
            return channel

    def add_user(self, user_id: str, **profile: Any) -> None:
        with self._lock:
            self.users[user_id] = {"id": user_id, "name": user_id.lower(), **profile}

    def share_links(self, channel: str, urls: list[str]) -> str:
        """A user posts a message with ``urls`` in ``channel``; returns its ts."""
        ts = self._new_ts()
        with self._lock:
            self._state.shared[(channel, ts)] = list(urls)
        return ts

    def add_oauth_code(self, code: str, team_id: str) -> None:
        """A code that oauth.v2.access exchanges (once) for a new bot token of team_id."""
        with self._lock:
            self.oauth_codes[code] = team_id

    def fail(
        self,
        method: str,
        error: str,
        *,
        times: int = 1,
        channel: str | None = None,
        after: int = 0,
    ) -> None:
        """The next ``times`` calls of method (to ``channel``, if given) answer ``error``;
        ``after`` lets that many matching calls through first (a thread's third reply)."""
        self._inject(_Injection(method, times, error=error, channel=channel, after=after))

    def rate_limit(
        self,
        method: str,
        *,
        retry_after: float = 1,
        times: int = 1,
        channel: str | None = None,
        after: int = 0,
    ) -> None:
        """The next ``times`` calls answer HTTP 429 with ``Retry-After``."""
        self._inject(
            _Injection(
                method,
                times,
                429,
                "ratelimited",
                retry_after=retry_after,
                channel=channel,
                after=after,
            )
        )

    def server_error(
        self, method: str, *, status: int = 500, times: int = 1, after: int = 0
    ) -> None:
        """The next ``times`` calls answer an HTTP 5xx."""
        self._inject(_Injection(method, times, status, after=after))

    def delay(self, method: str, *, seconds: float, times: int = 1) -> None:
        """The next ``times`` calls wait ``seconds`` before answering (client timeouts)."""
        self._inject(_Injection(method, times, delay=seconds))

    def _inject(self, injection: _Injection) -> None:
        with self._lock:
            self._state.injections.append(injection)

    # -- inspection ---------------------------------------------------------------------
    @property
    def calls(self) -> list[SlackCall]:
        with self._lock:
            return list(self._state.calls)

    @property
    def violations(self) -> list[str]:
        """Every limit a request broke, as readable lines."""
        with self._lock:
            return list(self._state.violations)

    def calls_to(self, method: str) -> list[SlackCall]:
        return [c for c in self.calls if c.method == method]

    def messages(self, channel: str | None = None, *, team: str | None = None) -> list[SlackCall]:
        """Messages accepted by chat.postMessage (optionally to one channel / team)."""
        return [
            c
            for c in self.calls_to("chat.postMessage")
            if c.response.get("ok")
            and (channel is None or c.args.get("channel") == channel)
            and (team is None or c.response.get("_team") == team)
        ]

    def parents(self, channel: str | None = None) -> list[SlackCall]:
        """Accepted top-level messages (a digest's first message)."""
        return [c for c in self.messages(channel) if not c.args.get("thread_ts")]

    def thread(self, channel: str, ts: str) -> list[SlackCall]:
        """Accepted replies in the thread of message ``ts``, in the order they came."""
        return [c for c in self.messages(channel) if c.args.get("thread_ts") == ts]

    def response_url(self, hook: str = "hook") -> str:
        """A ``response_url`` as a slash command or a button carries (answers go here)."""
        return self.base_url.removesuffix("api/") + f"response/{hook}"

    def responses(self, hook: str | None = None) -> list[SlackCall]:
        """Messages posted to response URLs (``respond()`` in Bolt)."""
        return [
            c for c in self.calls_to("response_url") if hook is None or c.args.get("_hook") == hook
        ]

    def mentions(self) -> list[str]:
        """Accepted message texts that would ping someone (<!channel>, <@U1> ...)."""
        found = []
        for call in self.messages():
            for text in _all_texts(call.args):
                if MENTION.search(text):
                    found.append(text)
        return found

    def reset(self) -> None:
        """Forget calls, injections and violations (not tokens or channels)."""
        with self._lock:
            self._state = _State()

    # -- the endpoint -------------------------------------------------------------------
    async def _endpoint(self, request: Request) -> Response:
        method = request.path_params["method"]
        args = await _read_args(request)
        token = _token(request, args)
        channel = str(args.get("channel") or "") or None
        injection = self._take_injection(method, channel)
        if injection is not None and injection.delay:
            await asyncio.sleep(injection.delay)
        status, body, headers = self._answer(method, token, args, injection, request)
        if not self.keep_bodies:
            args = {
                k: v for k, v in args.items() if k in ("channel", "user", "user_id", "thread_ts")
            }
        with self._lock:
            self._state.calls.append(SlackCall(method, token, args, status, body, time.time()))
        if status >= 500:
            return PlainTextResponse("upstream failure", status_code=status)
        public = {k: v for k, v in body.items() if not k.startswith("_")}
        return JSONResponse(public, status_code=status, headers=headers)

    async def _response_url(self, request: Request) -> Response:
        args = await _read_args(request)
        problem = self._check_message(args, MAX_BLOCKS_MESSAGE)
        body = {"ok": problem is None, "error": problem} if problem else {"ok": True}
        args["_hook"] = request.path_params["hook"]
        with self._lock:
            self._state.calls.append(SlackCall("response_url", None, args, 200, body, time.time()))
        return JSONResponse(body)

    def _take_injection(self, method: str, channel: str | None) -> _Injection | None:
        with self._lock:
            for injection in self._state.injections:
                if injection.method != method or injection.times <= 0:
                    continue
                if injection.channel is not None and injection.channel != channel:
                    continue
                if injection.after > 0:
                    injection.after -= 1
                    continue
                injection.times -= 1
                return injection
        return None

    def _answer(
        self,
        method: str,
        token: str | None,
        args: dict[str, Any],
        injection: _Injection | None,
        request: Request,
    ) -> Answer:
        if injection is not None and (injection.status != 200 or injection.error):
            headers = {}
            if injection.retry_after is not None:
                headers["Retry-After"] = str(int(injection.retry_after))
            return injection.status, {"ok": False, "error": injection.error}, headers
        if method == "oauth.v2.access":
            return 200, self._oauth(args, request), {}
        team = self._auth(token)
        if team.startswith("!"):
            return 200, {"ok": False, "error": team[1:]}, {}
        handler = _HANDLERS.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        return handler(self, team, args)

    def _auth(self, token: str | None) -> str:
        with self._lock:
            if not token:
                return "!not_authed"
            if token in self.revoked:
                return "!token_revoked"
            team = self.tokens.get(token)
        return team if team is not None else "!invalid_auth"

    def _oauth(self, args: dict[str, Any], request: Request) -> dict[str, Any]:
        client_id, client_secret = _basic_auth(request)
        client_id = client_id or str(args.get("client_id") or "")
        client_secret = client_secret or str(args.get("client_secret") or "")
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return {"ok": False, "error": "invalid_client_id"}
        code = str(args.get("code") or "")
        with self._lock:
            team = self.oauth_codes.pop(code, None)
            if team is None:
                return {"ok": False, "error": "invalid_code"}
            token = f"xoxb-{team}-{len(self.tokens) + 1}"
            self.tokens[token] = team
        return {
            "ok": True,
            "app_id": "A0AITODAY",
            "access_token": token,
            "token_type": "bot",
            "scope": "chat:write,commands,im:write,users:read,channels:read",
            "bot_user_id": f"U{team}BOT",
            "team": {"id": team, "name": f"Team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": f"U{team}ADMIN", "scope": "", "token_type": "user"},
        }

    # -- methods ------------------------------------------------------------------------
    def _auth_test(self, team: str, args: dict[str, Any]) -> Answer:
        return (
            200,
            {
                "ok": True,
                "url": f"https://{team.lower()}.slack.com/",
                "team": f"Team {team}",
                "team_id": team,
                "user": "aitoday",
                "user_id": f"U{team}BOT",
                "bot_id": f"B{team}BOT",
                "is_enterprise_install": False,
            },
            {},
        )

    def _post_message(self, team: str, args: dict[str, Any]) -> Answer:
        channel = str(args.get("channel") or "")
        problem = self._channel_problem(channel)
        if problem:
            return 200, {"ok": False, "error": problem}, {}
        problem = self._check_message(args, MAX_BLOCKS_MESSAGE)
        if problem:
            return 200, {"ok": False, "error": problem}, {}
        thread_ts = str(args.get("thread_ts") or "")
        if thread_ts and not self._is_parent(channel, thread_ts):
            return 200, {"ok": False, "error": self._violation("thread_not_found", thread_ts)}, {}
        if self._over_rate(channel):
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
        ts = self._new_ts()
        # a message to a user id lands in the app's DM with them, which Slack answers with
        answered = "D" + channel[1:] if channel[:1] in ("U", "W") else channel
        with self._lock:
            self._state.posted[(answered, ts)] = thread_ts
        return (
            200,
            {
                "ok": True,
                "channel": answered,
                "ts": ts,
                "message": {"type": "message", "text": args.get("text", ""), "ts": ts},
                "_team": team,
            },
            {},
        )

    def _new_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _is_parent(self, channel: str, thread_ts: str) -> bool:
        with self._lock:
            parent = self._state.posted.get((channel, thread_ts))
        if parent:
            self._violation("nested_thread", f"thread_ts {thread_ts} is itself a reply")
        return TS.match(thread_ts) is not None and parent == ""

    def _unfurl(self, team: str, args: dict[str, Any]) -> Answer:
        message = self._unfurl_target(args)
        if message is None:
            return 200, {"ok": False, "error": "cannot_unfurl_message"}, {}
        unfurls = args.get("unfurls")
        if isinstance(unfurls, str):
            unfurls = json.loads(unfurls)
        if not isinstance(unfurls, dict) or not unfurls:
            return 200, {"ok": False, "error": self._violation("missing_unfurls", str(args))}, {}
        with self._lock:
            urls = self._state.shared.get(message, [])
        for url, card in unfurls.items():
            if url not in urls:
                return 200, {"ok": False, "error": self._violation("cannot_unfurl_url", url)}, {}
            blocks = card.get("blocks") if isinstance(card, dict) else None
            problem = self._check_blocks(blocks or [], MAX_BLOCKS_MESSAGE, "chat.unfurl")
            if problem or not blocks:
                return 200, {"ok": False, "error": problem or "invalid_unfurls_format"}, {}
        return 200, {"ok": True}, {}

    def _unfurl_target(self, args: dict[str, Any]) -> tuple[str, str] | None:
        channel, ts = str(args.get("channel") or ""), str(args.get("ts") or "")
        if args.get("unfurl_id") and args.get("source"):
            # Slack's unfurl ids read "C123.1700000000.000001.<hash>": channel, then ts
            channel, _, rest = str(args["unfurl_id"]).partition(".")
            ts = ".".join(rest.split(".")[:2])
        with self._lock:
            return (channel, ts) if (channel, ts) in self._state.shared else None

    def _post_ephemeral(self, team: str, args: dict[str, Any]) -> Answer:
        channel = str(args.get("channel") or "")
        problem = self._channel_problem(channel)
        if not problem and not args.get("user"):
            problem = "user_not_found"
        problem = problem or self._check_message(args, MAX_BLOCKS_MESSAGE)
        if problem:
            return 200, {"ok": False, "error": problem}, {}
        return 200, {"ok": True, "message_ts": f"{int(time.time())}.{next(self._ts):06d}"}, {}

    def _views_publish(self, team: str, args: dict[str, Any]) -> Answer:
        view = args.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not isinstance(view, dict) or not args.get("user_id"):
            return 200, {"ok": False, "error": "invalid_arguments"}, {}
        if not self.home_tab_enabled:
            return 200, {"ok": False, "error": "not_enabled"}, {}
        problem = self._view_problem(view)
        if problem:
            return 200, {"ok": False, "error": problem}, {}
        return 200, {"ok": True, "view": {"id": "V0001", **view}}, {}

    def _view_problem(self, view: dict[str, Any]) -> str | None:
        if view.get("type") != "home":
            return self._violation("invalid_arguments", f"view type {view.get('type')!r}")
        size = len(json.dumps(view, ensure_ascii=False).encode())
        if size > MAX_VIEW_BYTES:
            return self._violation("view_too_large", f"view of {size} bytes")
        if len(str(view.get("private_metadata") or "")) > MAX_PRIVATE_METADATA:
            return self._violation("invalid_arguments", "private_metadata over 3000 chars")
        if len(str(view.get("callback_id") or "")) > MAX_CALLBACK_ID:
            return self._violation("invalid_arguments", "callback_id over 255 chars")
        return self._check_blocks(view.get("blocks") or [], MAX_BLOCKS_VIEW, "views.publish")

    def _conversations_info(self, team: str, args: dict[str, Any]) -> Answer:
        channel_id = str(args.get("channel") or "")
        with self._lock:
            channel = self.channels.get(channel_id, ChannelState(id=channel_id))
        if not channel.exists:
            return 200, {"ok": False, "error": "channel_not_found"}, {}
        return (
            200,
            {
                "ok": True,
                "channel": {
                    "id": channel.id,
                    "name": channel.name or channel.id.lower(),
                    "is_channel": not channel.is_im,
                    "is_im": channel.is_im,
                    "is_archived": channel.archived,
                    "is_member": channel.member,
                },
            },
            {},
        )

    def _users_info(self, team: str, args: dict[str, Any]) -> Answer:
        user_id = str(args.get("user") or "")
        with self._lock:
            user = self.users.get(user_id)
        if user is None:
            return 200, {"ok": False, "error": "user_not_found"}, {}
        return 200, {"ok": True, "user": {"team_id": team, "deleted": False, **user}}, {}

    # -- limits -------------------------------------------------------------------------
    def _channel_problem(self, channel_id: str) -> str | None:
        if not channel_id:
            return "channel_not_found"
        with self._lock:
            channel = self.channels.get(channel_id)
        if channel is None:
            return None
        if not channel.exists:
            return "channel_not_found"
        if channel.archived:
            return "is_archived"
        if not channel.member:
            return "not_in_channel"
        return None

    def _over_rate(self, channel: str) -> bool:
        now = time.monotonic()
        with self._lock:
            last = self._state.last_post.get(channel)
            if self.spacing is not None and last is not None:
                gap = now - last
                if gap < self.spacing - SPACING_SLACK:
                    self._state.violations.append(
                        f"chat.postMessage: {gap:.3f}s after the last message to {channel}"
                    )
            self._state.last_post[channel] = now
            recent = [t for t in self._state.recent.get(channel, []) if now - t < 1.0]
            if len(recent) >= self.channel_burst:
                self._state.recent[channel] = recent
                self._state.violations.append(f"chat.postMessage: over 1 msg/s to {channel}")
                return True
            recent.append(now)
            self._state.recent[channel] = recent
        return False

    def _check_message(self, args: dict[str, Any], max_blocks: int) -> str | None:
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        text = args.get("text")
        if not blocks and not text:
            return self._violation("no_text", "message without text or blocks")
        if blocks and not (isinstance(text, str) and text.strip()):
            return self._violation("missing_text_fallback", "blocks without a text fallback")
        if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
            return self._violation("msg_too_long", f"text of {len(text)} chars")
        return self._check_blocks(blocks or [], max_blocks, "message")

    def _check_blocks(self, blocks: list[Any], max_blocks: int, where: str) -> str | None:
        if len(blocks) > max_blocks:
            return self._violation(
                "invalid_blocks", f"{where}: {len(blocks)} blocks > {max_blocks}"
            )
        block_ids: set[str] = set()
        for index, block in enumerate(blocks):
            problem = _block_problem(block, block_ids)
            if problem:
                return self._violation("invalid_blocks", f"{where}: blocks[{index}]: {problem}")
        return None

    def _violation(self, code: str, detail: str) -> str:
        with self._lock:
            self._state.violations.append(f"{code}: {detail}")
        return code


_HANDLERS = {
    "auth.test": FakeSlack._auth_test,
    "chat.postMessage": FakeSlack._post_message,
    "chat.postEphemeral": FakeSlack._post_ephemeral,
    "chat.unfurl": FakeSlack._unfurl,
    "views.publish": FakeSlack._views_publish,
    "conversations.info": FakeSlack._conversations_info,
    "users.info": FakeSlack._users_info,
}


def _block_problem(block: Any, block_ids: set[str]) -> str | None:
    if not isinstance(block, dict) or "type" not in block:
        return "not a block object"
    block_id = block.get("block_id")
    if block_id is not None:
        if block_id in block_ids or len(str(block_id)) > 255:
            return f"duplicate or long block_id {block_id!r}"
        block_ids.add(block_id)
    kind = block["type"]
    if kind == "header":
        text = block.get("text") or {}
        if text.get("type") != "plain_text":
            return "header text must be plain_text"
        if not 0 < len(text.get("text", "")) <= MAX_HEADER_TEXT:
            return f"header text of {len(text.get('text', ''))} chars (max {MAX_HEADER_TEXT})"
    elif kind == "section":
        return _section_problem(block)
    elif kind == "context":
        elements = block.get("elements") or []
        if not 0 < len(elements) <= MAX_CONTEXT_ELEMENTS:
            return f"context with {len(elements)} elements"
        for element in elements:
            if (
                element.get("type") in ("mrkdwn", "plain_text")
                and len(element.get("text", "")) > MAX_SECTION_TEXT
            ):
                return "context text too long"
    elif kind == "actions":
        return _actions_problem(block)
    elif kind not in ("divider", "image", "rich_text", "input", "file", "video"):
        return f"unknown block type {kind!r}"
    return None


def _section_problem(block: dict[str, Any]) -> str | None:
    text = block.get("text")
    fields = block.get("fields")
    if not text and not fields:
        return "section without text or fields"
    if text is not None:
        if text.get("type") not in ("mrkdwn", "plain_text"):
            return "section text type"
        if not 0 < len(text.get("text", "")) <= MAX_SECTION_TEXT:
            return f"section text of {len(text.get('text', ''))} chars (max {MAX_SECTION_TEXT})"
    if fields is not None:
        if len(fields) > MAX_FIELDS:
            return f"{len(fields)} fields"
        if any(len(f.get("text", "")) > MAX_FIELD_TEXT for f in fields):
            return "field text too long"
    accessory = block.get("accessory")
    if accessory is not None and accessory.get("type") == "button":
        return _button_problem(accessory)
    return None


def _actions_problem(block: dict[str, Any]) -> str | None:
    elements = block.get("elements") or []
    if not 0 < len(elements) <= MAX_ACTION_ELEMENTS:
        return f"actions with {len(elements)} elements"
    action_ids: set[str] = set()
    for element in elements:
        action_id = element.get("action_id")
        if action_id in action_ids:
            return f"duplicate action_id {action_id!r} in one block"
        action_ids.add(action_id)
        if element.get("type") == "button":
            problem = _button_problem(element)
            if problem:
                return problem
        elif element.get("type") == "static_select":
            problem = _select_problem(element)
            if problem:
                return problem
        elif element.get("type") == "timepicker":
            initial = str(element.get("initial_time") or "00:00")
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", initial):
                return f"timepicker initial_time {initial!r} is not HH:mm"
        elif element.get("type") not in ("overflow", "datepicker", "checkboxes", None):
            return f"unknown element type {element.get('type')!r}"
    return None


def _select_problem(select: dict[str, Any]) -> str | None:
    options = select.get("options") or []
    if not 0 < len(options) <= MAX_OPTIONS:
        return f"static_select with {len(options)} options (1..{MAX_OPTIONS})"
    values = [str(o.get("value", "")) for o in options]
    for option in options:
        text = option.get("text") or {}
        if text.get("type") != "plain_text" or not 0 < len(text.get("text", "")) <= MAX_OPTION_TEXT:
            return "option text must be plain_text of 1..75 chars"
        if not 0 < len(str(option.get("value", ""))) <= MAX_OPTION_VALUE:
            return "option value must be 1..150 chars"
    initial = select.get("initial_option")
    if initial is not None and str(initial.get("value")) not in values:
        return "initial_option is not one of the options"
    return None


def _button_problem(button: dict[str, Any]) -> str | None:
    text = button.get("text") or {}
    if text.get("type") != "plain_text" or not 0 < len(text.get("text", "")) <= MAX_BUTTON_TEXT:
        return "button text must be plain_text of 1..75 chars"
    if len(str(button.get("action_id", ""))) > MAX_ACTION_ID:
        return "action_id too long"
    if len(str(button.get("value", ""))) > MAX_BUTTON_VALUE:
        return "button value too long"
    if len(str(button.get("url", ""))) > MAX_URL:
        return "button url too long"
    return None


def _all_texts(args: dict[str, Any]) -> Iterator[str]:
    text = args.get("text")
    if isinstance(text, str):
        yield text
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    yield from _walk_texts(blocks or [])


def _walk_texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("text"), str):
            yield value["text"]
        for item in value.values():
            if isinstance(item, dict | list):
                yield from _walk_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_texts(item)


async def _read_args(request: Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    if not body:
        return args
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        parsed = json.loads(body)
        if isinstance(parsed, dict):
            args.update(parsed)
    else:
        args.update(parse_qsl(body.decode(), keep_blank_values=True))
    for key in ("blocks", "view", "attachments", "unfurls"):
        if isinstance(args.get(key), str) and args[key].startswith(("[", "{")):
            args[key] = json.loads(args[key])
    return args


def _token(request: Request, args: dict[str, Any]) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    token = args.get("token")
    return str(token) if token else None


def _basic_auth(request: Request) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return "", ""
    decoded = base64.b64decode(header[6:]).decode()
    client_id, _, secret = decoded.partition(":")
    return client_id, secret
