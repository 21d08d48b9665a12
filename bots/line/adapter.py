"""The LINE channel: Flex carousels by multicast (<= 500 users a request), quota-aware.

- Users (``U…`` ids) go by multicast in chunks of 500; groups and rooms (``C…``/``R…``) by
  push. Every request carries an ``X-Line-Retry-Key`` derived from the edition and the
  chunk's user ids, so a retry or a re-run of the same batch never sends twice: LINE
  answers 409 for a key it accepted before, which counts as SENT.
- 429 "rate limit" and 5xx back off and retry with the same key; 429 "monthly limit"
  and a quota too small for the batch apply ``settings.line.quota_policy``:
  ``engaged_first`` sends to as many as the quota allows, in the order of the injected
  ``order`` callable (most engaged first), and marks the rest DEFERRED; ``defer_all``
  defers the whole batch. Nobody is dropped silently.
- A push refused with 400 (the user blocked the account or the id is unknown) -> GONE;
  a multicast 400 naming ``to[i]`` marks those ids GONE and resends to the others.
  Multicast skips users who blocked the account without an error (LINE does not say);
  the webhook's unfollow event is what marks them.
- No channel access token: outbox mode, the messages are written as JSON under
  ``settings.digest.outbox_dir / "line"``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import aiohttp
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    MulticastRequest,
    PushMessageRequest,
)
from linebot.v3.messaging.exceptions import ApiException

from bots.base import ChannelLimits, Outcome
from bots.line.limits import LIMITS
from bots.line.render import render_line
from bots.outbox import write_outbox
from core.config import Settings
from core.models import Channel, Edition, Recipient
from core.preferences import LINE_ID

log = logging.getLogger(__name__)

MULTICAST_MAX = LIMITS.max_recipients_per_call
DEFAULT_HOST = "https://api.line.me"
RETRY_KEY_NAMESPACE = uuid.UUID("5f1d0c52-6a43-4d0e-9a55-4c1e0d7a1e11")
_TO_INDEX = re.compile(r"^to\[(\d+)\]$")

Order = Callable[[Sequence[Recipient]], Sequence[Recipient]]


@dataclass(frozen=True)
class LinePayload:
    """An edition rendered for LINE: up to 5 message objects (JSON-ready dicts)."""

    edition_id: str
    messages: list[dict[str, Any]]


@dataclass(frozen=True)
class _Answer:
    """What one request finally came to, after retries."""

    kind: str  # sent | quota | bad_request | transient
    detail: str = ""
    bad_indexes: tuple[int, ...] = ()
    retry_after: float | None = None
    retry_now: bool = True  # transient only: False when repeating at once cannot help


def retry_key(edition_id: str, endpoint: str, addresses: Sequence[str]) -> str:
    """The same key for the same edition and recipients: LINE then refuses a repeat."""
    material = "|".join((edition_id, endpoint, *sorted(addresses)))
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, material))


class LineAdapter:
    """ChannelAdapter for LINE."""

    channel: ClassVar[Channel] = "line"
    limits: ClassVar[ChannelLimits] = LIMITS

    def __init__(
        self,
        settings: Settings,
        *,
        order: Order | None = None,
        outbox: Path | None = None,
        timeout: float = 30.0,
        backoff: Sequence[float] = LIMITS.retry.request_backoff,
    ) -> None:
        self.settings = settings
        self.order = order
        self.outbox = outbox
        self.timeout = timeout
        self.backoff = tuple(backoff)

    def render(self, edition: Edition) -> LinePayload:
        """The edition as Flex carousels with quick replies. No I/O."""
        messages = render_line(edition, base_url=self.settings.web.base_url)
        return LinePayload(edition_id=edition.id, messages=messages)

    async def send(self, payload: LinePayload, to: Sequence[Recipient]) -> list[Outcome]:
        """Deliver to a batch; exactly one Outcome per recipient, in order."""
        if self.outbox is not None:
            outbox, messages = self.outbox, payload.messages
            return await asyncio.to_thread(write_outbox, outbox, payload.edition_id, messages, to)
        results: dict[int, Outcome] = {}
        valid: list[tuple[int, Recipient]] = []
        for index, recipient in enumerate(to):
            if LINE_ID.match(recipient.address):
                valid.append((index, recipient))
            else:
                results[index] = Outcome.gone(recipient.subscriber_id, "invalid LINE id")
        if valid:
            async with AsyncApiClient(self._configuration()) as client:
                run = _Run(self, AsyncMessagingApi(client), payload, results)
                await run.deliver(valid)
        return [results[index] for index in range(len(to))]

    def _configuration(self) -> Configuration:
        token = self.settings.line.channel_access_token
        return Configuration(
            access_token=token.get_secret_value() if token else "",
            host=(self.settings.line.api_base or DEFAULT_HOST).rstrip("/"),
        )


class _Run:
    """One send: quota, then multicast chunks and pushes, filling ``results``."""

    def __init__(
        self,
        adapter: LineAdapter,
        api: AsyncMessagingApi,
        payload: LinePayload,
        results: dict[int, Outcome],
    ) -> None:
        self.adapter = adapter
        self.api = api
        self.payload = payload
        self.results = results

    async def deliver(self, valid: list[tuple[int, Recipient]]) -> None:
        allowed = await self._within_quota(valid)
        users = [(i, r) for i, r in allowed if r.address.startswith("U")]
        others = [(i, r) for i, r in allowed if not r.address.startswith("U")]
        for start in range(0, len(users), MULTICAST_MAX):
            await self._multicast(users[start : start + MULTICAST_MAX])
        for index, recipient in others:
            await self._push(index, recipient)

    # -- quota ----------------------------------------------------------------------------
    async def _within_quota(
        self, valid: list[tuple[int, Recipient]]
    ) -> list[tuple[int, Recipient]]:
        left = await self._quota_left()
        if left is None or len(valid) <= left:
            return valid
        policy = self.adapter.settings.line.quota_policy
        reason = f"monthly quota: {left} left for {len(valid)} ({policy})"
        log.warning("LINE %s", reason)
        ranked = self._ranked(valid)
        keep = ranked[:left] if policy == "engaged_first" else []
        kept = {index for index, _ in keep}
        for index, recipient in valid:
            if index not in kept:
                self.results[index] = Outcome.deferred(recipient.subscriber_id, reason)
        return keep

    def _ranked(self, valid: list[tuple[int, Recipient]]) -> list[tuple[int, Recipient]]:
        if self.adapter.order is None:
            return valid
        index_of = {id(recipient): index for index, recipient in valid}
        ordered = self.adapter.order([recipient for _, recipient in valid])
        return [(index_of[id(r)], r) for r in ordered if id(r) in index_of]

    async def _quota_left(self) -> int | None:
        """Messages left this month; None when unlimited or unknown (then a 429 guards)."""
        timeout = self.adapter.timeout
        try:
            quota = await self.api.get_message_quota(_request_timeout=timeout)
            if quota.type != "limited" or quota.value is None:
                return None
            used = await self.api.get_message_quota_consumption(_request_timeout=timeout)
        except (ApiException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("LINE quota unknown (%s); sending, a 429 would stop us", _name(exc))
            return None
        return max(0, int(quota.value) - int(used.total_usage))

    # -- sending --------------------------------------------------------------------------
    async def _multicast(self, chunk: list[tuple[int, Recipient]]) -> None:
        # one request per distinct user id; duplicates share its outcome
        ids = list(dict.fromkeys(r.address for _, r in chunk))
        request = MulticastRequest.from_dict({"to": ids, "messages": self.payload.messages})
        key = retry_key(self.payload.edition_id, "multicast", ids)
        answer = await self._call(
            lambda **kw: self.api.multicast_with_http_info(request, x_line_retry_key=key, **kw)
        )
        # a 400 naming to[i]: drop those ids (gone) and resend to the others; a 400 naming
        # nothing we sent leaves the whole chunk rejected, never an endless resend
        bad = {ids[i] for i in answer.bad_indexes if i < len(ids)}
        if answer.kind == "bad_request" and bad:
            for index, recipient in chunk:
                if recipient.address in bad:
                    self.results[index] = Outcome.gone(recipient.subscriber_id, "invalid LINE id")
            rest = [(i, r) for i, r in chunk if r.address not in bad]
            if rest:
                await self._multicast(rest)
            return
        for index, recipient in chunk:
            self.results[index] = _outcome(recipient, answer, gone_on_400=False)

    async def _push(self, index: int, recipient: Recipient) -> None:
        body = {"to": recipient.address, "messages": self.payload.messages}
        request = PushMessageRequest.from_dict(body)
        key = retry_key(self.payload.edition_id, "push", [recipient.address])
        answer = await self._call(
            lambda **kw: self.api.push_message_with_http_info(request, x_line_retry_key=key, **kw)
        )
        self.results[index] = _outcome(recipient, answer, gone_on_400=True)

    async def _call(self, request: Callable[..., Awaitable[Any]]) -> _Answer:
        """Send with retries on 429 (rate) and 5xx; the retry key makes repeats safe."""
        backoff = self.adapter.backoff
        last = _Answer("transient", "no attempt")
        for attempt in range(len(backoff) + 1):
            try:
                await request(_request_timeout=self.adapter.timeout)
                return _Answer("sent")
            except ApiException as exc:
                answer = _answer_for(exc)
            except (aiohttp.ClientError, TimeoutError) as exc:
                answer = _Answer("transient", f"LINE unreachable: {_name(exc)}")
            if answer.kind != "transient" or not answer.retry_now:
                return answer
            last = answer
            if attempt < len(backoff):
                await asyncio.sleep(max(answer.retry_after or 0.0, backoff[attempt]))
        return last


def _answer_for(exc: ApiException) -> _Answer:
    status = int(exc.status or 0)
    body = _json(exc.body)
    message = str(body.get("message", exc.reason or ""))
    if status == 409:
        return _Answer("sent", "accepted before (X-Line-Retry-Key)")
    if status == 429:
        if "monthly limit" in message.lower():
            return _Answer("quota", message)
        return _Answer("transient", f"429 {message}", retry_after=_retry_after(exc))
    if status == 400:
        indexes = tuple(
            int(m.group(1))
            for d in body.get("details") or []
            if (m := _TO_INDEX.match(str(d.get("property", ""))))
        )
        return _Answer("bad_request", message or "400", bad_indexes=indexes)
    if status >= 500 or status == 0:
        return _Answer("transient", f"{status} {message}".strip())
    # 401/403/404...: our configuration, not the recipient; keep them for a later run
    return _Answer("transient", f"http {status} {message}".strip(), retry_now=False)


def _outcome(recipient: Recipient, answer: _Answer, *, gone_on_400: bool) -> Outcome:
    sid = recipient.subscriber_id
    if answer.kind == "sent":
        return Outcome.sent(sid)
    if answer.kind == "quota":
        return Outcome.deferred(sid, f"monthly quota reached: {answer.detail}")
    if answer.kind == "bad_request":
        if gone_on_400:
            return Outcome.gone(sid, f"blocked or unknown: {answer.detail}")
        return Outcome.rejected(sid, f"400: {answer.detail}")
    return Outcome.transient(sid, answer.detail, answer.retry_after)


def _retry_after(exc: ApiException) -> float | None:
    headers = exc.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _json(body: Any) -> dict[str, Any]:
    try:
        parsed = json.loads(body) if body else {}
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _name(exc: BaseException) -> str:
    return type(exc).__name__
