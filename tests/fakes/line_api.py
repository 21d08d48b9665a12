"""A fake LINE Messaging API: a real local HTTP server that records and checks every call.

Endpoints (the paths line-bot-sdk v3 calls): POST /v2/bot/message/push, /multicast,
/reply; GET /v2/bot/message/quota, /v2/bot/message/quota/consumption,
/v2/bot/profile/{userId}. Every request is checked against LINE's published limits: at
most 5 message objects per request, multicast to 1..500 user ids, text up to 5,000
UTF-16 units, Flex: an altText (<= 1,500 chars), a carousel of <= 12 bubbles, contents
<= 50 KB as JSON, quick reply <= 13 items. A request that breaks one gets LINE's 400
(``{"message": ..., "details": [{"message", "property"}]}``) and is listed in
:attr:`FakeLine.violations`.

Retry keys: ``X-Line-Retry-Key`` (a UUID) on push/multicast; repeating an accepted key
answers 409 with ``X-Line-Accepted-Request-Id`` and sends nothing. Quota: a monthly
limit (``set_quota``); a request that would exceed it answers 429 "You have reached your
monthly limit." and sends nothing. Recipients count once per request, however many
message objects it holds (as LINE counts them). Users who blocked the account (``block``)
answer 400 on push and are silently skipped by multicast, as on LINE.

Use::

    line = FakeLine(token="line-test-token")
    with line.running() as host:                 # "http://127.0.0.1:PORT"
        ...  Configuration(access_token="line-test-token", host=host)
    line.delivered_to("U...")                     # the message lists that user received
    line.fail("multicast", status=500)            # or 429 with retry_after=...
    line.delay("push", seconds=5)
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import serve

MAX_MESSAGES = 5
MAX_MULTICAST = 500
MAX_TEXT_UTF16 = 5000
MAX_ALT_TEXT = 1500
MAX_BUBBLES = 12
MAX_FLEX_BYTES = 50 * 1024
MAX_QUICK_REPLY = 13

USER_ID = re.compile(r"^[UCR][0-9a-f]{32}$")
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)

QUOTA_MESSAGE = "You have reached your monthly limit."
RATE_MESSAGE = "The API rate limit has been exceeded. Try again later."


def user_id(n: int | str) -> str:
    """A well-formed LINE user id for tests ("U" + 32 hex digits)."""
    return "U" + uuid.uuid5(uuid.NAMESPACE_OID, str(n)).hex


@dataclass
class LineCall:
    """One request the fake received."""

    endpoint: str  # push | multicast | reply | quota | consumption | profile
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    status: int
    response: dict[str, Any]
    at: float

    @property
    def retry_key(self) -> str | None:
        return self.headers.get("x-line-retry-key")


@dataclass
class Delivery:
    """Messages that reached one user through one accepted request."""

    user_id: str
    messages: list[dict[str, Any]]
    request_id: str
    endpoint: str


@dataclass
class _Injection:
    endpoint: str
    times: int
    status: int = 200
    message: str = ""
    retry_after: float | None = None
    delay: float = 0.0


@dataclass
class _State:
    calls: list[LineCall] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    injections: list[_Injection] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    accepted_keys: dict[str, str] = field(default_factory=dict)  # retry key -> request id
    used_reply_tokens: set[str] = field(default_factory=set)
    usage: int = 0


class FakeLine:
    """The fake LINE Messaging API; thread-safe inspection from the test thread."""

    def __init__(self, token: str = "line-test-token", *, quota: int | None = None) -> None:
        self.tokens: set[str] = {token}
        self.quota = quota  # None: "type": "none" (no monthly limit)
        self.blocked: set[str] = set()
        self.profiles: dict[str, dict[str, Any]] = {}
        self.reply_tokens: dict[str, str] = {}  # reply token -> user id
        self.invalid_ids: set[str] = set()
        self._state = _State()
        self._lock = threading.Lock()
        self.base_url = ""
        self.app = Starlette(
            routes=[
                Route("/v2/bot/message/push", self._push, methods=["POST"]),
                Route("/v2/bot/message/multicast", self._multicast, methods=["POST"]),
                Route("/v2/bot/message/reply", self._reply, methods=["POST"]),
                Route("/v2/bot/message/quota", self._quota, methods=["GET"]),
                Route("/v2/bot/message/quota/consumption", self._consumption, methods=["GET"]),
                Route("/v2/bot/profile/{user_id}", self._profile, methods=["GET"]),
            ]
        )

    # -- running ------------------------------------------------------------------------
    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve on a free local port; yields the host URL for ``Configuration(host=...)``."""
        with serve(self.app) as base:
            self.base_url = base
            yield base

    # -- set-up and failure injection ---------------------------------------------------
    def set_quota(self, limit: int | None, used: int = 0) -> None:
        """A monthly limit (None: unlimited) and what was consumed already this month."""
        with self._lock:
            self.quota = limit
            self._state.usage = used

    def block(self, *user_ids: str) -> None:
        """These users blocked the account (or never added it)."""
        with self._lock:
            self.blocked.update(user_ids)

    def invalidate(self, *user_ids: str) -> None:
        """Ids LINE refuses as invalid: 400 naming ``to[i]`` on multicast, 400 on push."""
        with self._lock:
            self.invalid_ids.update(user_ids)

    def issue_reply_token(self, user: str) -> str:
        """A reply token (as a webhook event would carry) whose reply reaches ``user``."""
        token = uuid.uuid4().hex
        with self._lock:
            self.reply_tokens[token] = user
        return token

    def add_profile(self, user_id: str, **profile: Any) -> None:
        with self._lock:
            self.profiles[user_id] = {"userId": user_id, "displayName": user_id[:8], **profile}

    def fail(
        self,
        endpoint: str,
        *,
        status: int = 500,
        message: str = "",
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of endpoint ("push", "multicast", ...) answer status.

        ``status=429`` with the default message is a rate limit; use
        ``message=QUOTA_MESSAGE`` for the monthly quota. Nothing is sent or accepted.
        """
        default = RATE_MESSAGE if status == 429 else "Internal server error"
        self._inject(_Injection(endpoint, times, status, message or default, retry_after))

    def delay(self, endpoint: str, *, seconds: float, times: int = 1) -> None:
        """The next ``times`` calls wait before answering (client timeouts)."""
        self._inject(_Injection(endpoint, times, delay=seconds))

    def _inject(self, injection: _Injection) -> None:
        with self._lock:
            self._state.injections.append(injection)

    # -- inspection ---------------------------------------------------------------------
    @property
    def calls(self) -> list[LineCall]:
        with self._lock:
            return list(self._state.calls)

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._state.deliveries)

    @property
    def violations(self) -> list[str]:
        with self._lock:
            return list(self._state.violations)

    @property
    def usage(self) -> int:
        """Messages consumed this month (one per recipient per accepted request)."""
        with self._lock:
            return self._state.usage

    def calls_to(self, endpoint: str) -> list[LineCall]:
        return [c for c in self.calls if c.endpoint == endpoint]

    def delivered_to(self, user: str) -> list[list[dict[str, Any]]]:
        """The message lists one user received, one per accepted request."""
        return [d.messages for d in self.deliveries if d.user_id == user]

    def reset(self) -> None:
        """Forget calls, deliveries, injections, keys and usage (not blocks or quota)."""
        with self._lock:
            self._state = _State()

    # -- endpoints ----------------------------------------------------------------------
    async def _push(self, request: Request) -> Response:
        return await self._send(request, "push")

    async def _multicast(self, request: Request) -> Response:
        return await self._send(request, "multicast")

    async def _reply(self, request: Request) -> Response:
        return await self._send(request, "reply")

    async def _send(self, request: Request, endpoint: str) -> Response:
        early = await self._preamble(request, endpoint)
        if early is not None:
            return early
        headers = _headers(request)
        try:
            body = json.loads(await request.body())
        except ValueError:
            return self._record(endpoint, request, None, 400, {"message": "Invalid JSON"})
        problem = self._check_request(endpoint, body, headers)
        if problem is not None:
            return self._record(endpoint, request, body, 400, problem)
        key = headers.get("x-line-retry-key")
        with self._lock:
            if key and key in self._state.accepted_keys:
                accepted = self._state.accepted_keys[key]
                response = {"message": "The retry key is already accepted", "sentMessages": []}
                call = self._call(endpoint, request, body, 409, response)
                self._state.calls.append(call)
                return JSONResponse(
                    response, status_code=409, headers={"X-Line-Accepted-Request-Id": accepted}
                )
            return self._accept(endpoint, request, body, key)

    def _accept(
        self, endpoint: str, request: Request, body: dict[str, Any], key: str | None
    ) -> Response:
        # called with the lock held: check, count and record in one step
        recipients = self._recipients(endpoint, body)
        if endpoint == "reply" and body["replyToken"] in self._state.used_reply_tokens:
            failure = {"message": "Invalid reply token"}
            self._state.calls.append(self._call(endpoint, request, body, 400, failure))
            return JSONResponse(failure, status_code=400)
        if endpoint == "push" and recipients[0] in self.blocked:
            failure = {"message": "Failed to send messages"}
            self._state.calls.append(self._call(endpoint, request, body, 400, failure))
            return JSONResponse(failure, status_code=400)
        reachable = [r for r in recipients if r not in self.blocked]
        if self.quota is not None and self._state.usage + len(reachable) > self.quota:
            failure = {"message": QUOTA_MESSAGE}
            self._state.calls.append(self._call(endpoint, request, body, 429, failure))
            return JSONResponse(failure, status_code=429)
        request_id = uuid.uuid4().hex
        if endpoint == "reply":
            self._state.used_reply_tokens.add(body["replyToken"])
        else:
            self._state.usage += len(reachable)
        messages = body["messages"]
        for recipient in reachable:
            self._state.deliveries.append(Delivery(recipient, messages, request_id, endpoint))
        if key:
            self._state.accepted_keys[key] = request_id
        sent = [{"id": uuid.uuid4().hex[:18], "quoteToken": uuid.uuid4().hex} for _ in messages]
        response: dict[str, Any] = {} if endpoint == "multicast" else {"sentMessages": sent}
        self._state.calls.append(self._call(endpoint, request, body, 200, response))
        return JSONResponse(response, headers={"X-Line-Request-Id": request_id})

    async def _quota(self, request: Request) -> Response:
        early = await self._preamble(request, "quota")
        if early is not None:
            return early
        with self._lock:
            quota = self.quota
        body = {"type": "none"} if quota is None else {"type": "limited", "value": quota}
        return self._record("quota", request, None, 200, body)

    async def _consumption(self, request: Request) -> Response:
        early = await self._preamble(request, "consumption")
        if early is not None:
            return early
        return self._record("consumption", request, None, 200, {"totalUsage": self.usage})

    async def _profile(self, request: Request) -> Response:
        early = await self._preamble(request, "profile")
        if early is not None:
            return early
        user = request.path_params["user_id"]
        with self._lock:
            profile = self.profiles.get(user)
            blocked = user in self.blocked
        if blocked or (profile is None and not USER_ID.match(user)):
            return self._record("profile", request, None, 404, {"message": "Not found"})
        body = profile or {"userId": user, "displayName": f"user-{user[1:7]}", "language": "en"}
        return self._record("profile", request, None, 200, body)

    # -- shared steps -------------------------------------------------------------------
    async def _preamble(self, request: Request, endpoint: str) -> Response | None:
        """Injected failures and authentication, before any real work."""
        injection = self._take_injection(endpoint)
        if injection is not None and injection.delay:
            await asyncio.sleep(injection.delay)
        if injection is not None and injection.status != 200:
            headers = {}
            if injection.retry_after is not None:
                headers["Retry-After"] = str(int(injection.retry_after))
            body = {"message": injection.message}
            self._record(endpoint, request, None, injection.status, body)
            return JSONResponse(body, status_code=injection.status, headers=headers)
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            body = {"message": "Authentication failed. Confirm the access token."}
            return self._record(endpoint, request, None, 401, body)
        return None

    def _recipients(self, endpoint: str, body: dict[str, Any]) -> list[str]:
        if endpoint == "multicast":
            return list(body["to"])
        if endpoint == "push":
            return [body["to"]]
        token = body["replyToken"]
        return [self.reply_tokens.get(token, f"reply:{token}")]

    def _take_injection(self, endpoint: str) -> _Injection | None:
        with self._lock:
            for injection in self._state.injections:
                if injection.endpoint == endpoint and injection.times > 0:
                    injection.times -= 1
                    return injection
        return None

    def _record(
        self,
        endpoint: str,
        request: Request,
        body: dict[str, Any] | None,
        status: int,
        response: dict[str, Any],
    ) -> Response:
        with self._lock:
            self._state.calls.append(self._call(endpoint, request, body, status, response))
        return JSONResponse(response, status_code=status)

    @staticmethod
    def _call(
        endpoint: str,
        request: Request,
        body: dict[str, Any] | None,
        status: int,
        response: dict[str, Any],
    ) -> LineCall:
        return LineCall(
            endpoint, request.url.path, _headers(request), body, status, response, time.time()
        )

    def _check_request(
        self, endpoint: str, body: Any, headers: dict[str, str]
    ) -> dict[str, Any] | None:
        problems = list(_request_problems(endpoint, body, headers))
        if isinstance(body, dict) and endpoint in ("multicast", "push"):
            targets = body.get("to")
            targets = targets if isinstance(targets, list) else [targets]
            with self._lock:
                for index, target in enumerate(targets):
                    if target in self.invalid_ids:
                        prop = f"to[{index}]" if endpoint == "multicast" else "to"
                        problems.append(
                            (prop, "The property, 'to', in the request body is invalid")
                        )
        if not problems:
            return None
        with self._lock:
            self._state.violations.extend(f"{endpoint}: {p}: {m}" for p, m in problems)
        return {
            "message": f"The request body has {len(problems)} error(s)",
            "details": [{"message": m, "property": p} for p, m in problems],
        }


def _headers(request: Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items()}


def _request_problems(
    endpoint: str, body: Any, headers: dict[str, str]
) -> Iterator[tuple[str, str]]:
    if not isinstance(body, dict):
        yield "", "the body must be a JSON object"
        return
    key = headers.get("x-line-retry-key")
    if key is not None and endpoint == "reply":
        yield "X-Line-Retry-Key", "the reply API does not take a retry key"
    if key is not None and not UUID_RE.match(key):
        yield "X-Line-Retry-Key", "must be a UUID"
    yield from _target_problems(endpoint, body)
    messages = body.get("messages")
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
        yield "messages", f"must hold 1..{MAX_MESSAGES} message objects"
        return
    for index, message in enumerate(messages):
        for prop, problem in _message_problems(message):
            yield f"messages[{index}]{prop}", problem


def _target_problems(endpoint: str, body: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if endpoint == "multicast":
        to = body.get("to")
        if not isinstance(to, list) or not 1 <= len(to) <= MAX_MULTICAST:
            yield "to", f"must hold 1..{MAX_MULTICAST} user ids"
            return
        if len(set(to)) != len(to):
            yield "to", "duplicate user ids"
        for index, user in enumerate(to):
            if not isinstance(user, str) or not USER_ID.match(user) or not user.startswith("U"):
                yield f"to[{index}]", "The property, 'to', in the request body is invalid"
    elif endpoint == "push":
        to = body.get("to")
        if not isinstance(to, str) or not USER_ID.match(to):
            yield "to", "The property, 'to', in the request body is invalid"
    elif not body.get("replyToken"):
        yield "replyToken", "Invalid reply token"


def _message_problems(message: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(message, dict):
        yield "", "not a message object"
        return
    kind = message.get("type")
    if kind == "text":
        text = message.get("text")
        if not isinstance(text, str) or not text:
            yield ".text", "must not be empty"
        elif utf16_len(text) > MAX_TEXT_UTF16:
            yield ".text", f"{utf16_len(text)} UTF-16 units > {MAX_TEXT_UTF16}"
    elif kind == "flex":
        yield from _flex_problems(message)
    elif kind not in ("sticker", "image", "template", "imagemap"):
        yield ".type", f"unknown message type {kind!r}"
    quick = message.get("quickReply")
    if quick is not None:
        items = quick.get("items") if isinstance(quick, dict) else None
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_QUICK_REPLY:
            yield ".quickReply.items", f"must hold 1..{MAX_QUICK_REPLY} items"
        else:
            for index, item in enumerate(items):
                label = ((item or {}).get("action") or {}).get("label", "")
                if not label or len(label) > 20:
                    yield f".quickReply.items[{index}].action.label", "1..20 characters"


def _flex_problems(message: dict[str, Any]) -> Iterator[tuple[str, str]]:
    alt = message.get("altText")
    if not isinstance(alt, str) or not alt.strip():
        yield ".altText", "must not be empty"
    elif len(alt) > MAX_ALT_TEXT:
        yield ".altText", f"{len(alt)} chars > {MAX_ALT_TEXT}"
    contents = message.get("contents")
    if not isinstance(contents, dict):
        yield ".contents", "must be a bubble or a carousel"
        return
    size = len(json.dumps(contents, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_FLEX_BYTES:
        yield ".contents", f"{size} bytes > {MAX_FLEX_BYTES}"
    if contents.get("type") == "carousel":
        bubbles = contents.get("contents")
        if not isinstance(bubbles, list) or not 1 <= len(bubbles) <= MAX_BUBBLES:
            yield ".contents.contents", f"a carousel holds 1..{MAX_BUBBLES} bubbles"
        elif any(not isinstance(b, dict) or b.get("type") != "bubble" for b in bubbles):
            yield ".contents.contents", "a carousel holds bubbles only"
    elif contents.get("type") != "bubble":
        yield ".contents.type", "must be bubble or carousel"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as LINE counts text."""
    return len(text.encode("utf-16-le")) // 2
