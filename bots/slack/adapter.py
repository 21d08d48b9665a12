"""The Slack channel: a digest message with each story's brief in its thread, per workspace token.

A Slack recipient's address is ``"TEAM/CHANNEL"`` (or ``"TEAM/USER"`` for a DM); the token
comes from an injected async lookup ``team_id -> token`` (the Redis installation store in
multi-workspace mode, ``settings.slack.bot_token`` in single-workspace mode). The first
message of a payload goes to the channel; the others are replies in its thread
(``thread_ts`` = the first one's ``ts``). Messages to one channel, replies included, are
spaced ``min_interval`` apart (Slack allows about one a second per channel); a 429 waits
``Retry-After`` once through slack_sdk's retry handler, then the recipient is TRANSIENT.

Outcomes: the codes in :data:`GONE` mean the app can no longer post there (stop);
the codes in :data:`REJECTED` mean our payload is wrong (alert); anything else is
TRANSIENT. A thread cut short (a 429 that persists, Slack down) resumes where it stopped:
with a :class:`ThreadProgress` (the workers pass one, kept beside the delivery markers)
the parent's ``ts`` and the number of replies posted are written after every message,
and the retry of a TRANSIENT recipient posts only the replies still missing, never a
second parent. Without one, a thread cut after its parent went out counts as SENT
(with a "partial" reason), so nothing is ever posted twice. A reply Slack refuses as
malformed is skipped (logged) and the rest of the thread still goes out.

Without any token the adapter runs in outbox mode: each recipient's messages are written
as JSON to ``settings.digest.outbox_dir / "slack"`` (development and the demo).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bots.base import ChannelLimits, Outcome, OutcomeKind
from bots.outbox import write_outbox
from bots.slack.limits import LIMITS
from bots.slack.outbox import OUTBOX_PARENT_TS
from bots.slack.render import SlackMessage, render_slack
from core.config import Settings
from core.models import Channel, Edition, Recipient
from core.store.base import Store
from core.store.deliveries import DeliveryRepo

log = logging.getLogger(__name__)

RETRIES = LIMITS.retry.request_retries
# seconds between two posts to one channel (Slack's per-channel rate)
MIN_INTERVAL = 1.0 / (LIMITS.messages_per_second_per_target or 1.0)

TokenLookup = Callable[[str], Awaitable[str | None]]

GONE = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "token_revoked",
        "invalid_auth",
        "not_authed",
        "user_not_found",
        "user_disabled",
        "team_access_not_granted",
        "ekm_access_denied",
        "restricted_action",
        "cannot_dm_bot",
    }
)
REJECTED = frozenset(
    {
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "missing_text_fallback",
        "invalid_arguments",
        "too_many_attachments",
        "invalid_attachments",
    }
)


@dataclass(frozen=True)
class SlackPayload:
    """An edition rendered for Slack: the digest message, then its thread's replies."""

    edition_id: str
    messages: list[SlackMessage]

    @property
    def parent(self) -> SlackMessage:
        return self.messages[0]

    @property
    def replies(self) -> list[SlackMessage]:
        return self.messages[1:]

    def posts(self) -> list[dict[str, Any]]:
        """Each message as chat.postMessage gets it, for the outbox and the terminal: the
        replies name their parent as ``OUTBOX_PARENT_TS`` (no real ts exists there)."""
        return [
            {**m.as_kwargs(), "thread_ts": OUTBOX_PARENT_TS} if m.in_thread else m.as_kwargs()
            for m in self.messages
        ]


@dataclass(frozen=True)
class ThreadMark:
    """How far one recipient's thread got: its parent's ``ts``, the replies posted and,
    when Slack answered with another conversation (a DM to a user id is a ``D...``), that
    conversation, where the replies must go."""

    ts: str
    posted: int = 0
    channel: str = ""

    def encode(self) -> str:
        return f"{self.ts}|{self.posted}|{self.channel}"

    @classmethod
    def decode(cls, value: str | None) -> ThreadMark | None:
        ts, _, rest = (value or "").partition("|")
        posted, _, channel = rest.partition("|")
        return cls(ts, int(posted), channel) if ts and posted.isdigit() else None


class ThreadLog(Protocol):
    """Where each recipient's thread stands, per edition (kept across job retries)."""

    def get(self, edition_id: str, subscriber_id: str) -> ThreadMark | None: ...

    def save(self, edition_id: str, subscriber_id: str, mark: ThreadMark) -> None: ...


class ThreadProgress:
    """:class:`ThreadLog` beside the delivery markers (same TTL; deleted with the reader)."""

    def __init__(self, store: Store) -> None:
        self.repo = DeliveryRepo(store)

    def get(self, edition_id: str, subscriber_id: str) -> ThreadMark | None:
        return ThreadMark.decode(self.repo.progress(edition_id, "slack", subscriber_id))

    def save(self, edition_id: str, subscriber_id: str, mark: ThreadMark) -> None:
        self.repo.save_progress(edition_id, "slack", subscriber_id, mark.encode())


@dataclass(frozen=True)
class SlackTarget:
    """A parsed ``"TEAM/CHANNEL"`` address."""

    team_id: str
    channel: str

    @classmethod
    def parse(cls, address: str) -> SlackTarget | None:
        team, _, channel = address.rpartition("/")
        if not channel or any(c in address for c in " \r\n"):
            return None
        return cls(team, channel)


def static_token(token: str | None) -> TokenLookup:
    """A lookup answering the same token for every workspace (single-workspace mode)."""

    async def lookup(team_id: str) -> str | None:
        return token

    return lookup


class SlackAdapter:
    """ChannelAdapter for Slack."""

    channel: ClassVar[Channel] = "slack"
    limits: ClassVar[ChannelLimits] = LIMITS

    def __init__(
        self,
        settings: Settings,
        *,
        token_for: TokenLookup | None = None,
        outbox: Path | None = None,
        timeout: float = 30.0,
        min_interval: float = MIN_INTERVAL,
        concurrency: int = 8,
        threads: ThreadLog | None = None,
    ) -> None:
        self.settings = settings
        bot_token = settings.slack.bot_token
        self.token_for = token_for or static_token(
            bot_token.get_secret_value() if bot_token else None
        )
        self.outbox = outbox
        self.timeout = timeout
        self.min_interval = min_interval
        self.concurrency = concurrency
        self.threads = threads
        self._last_post: dict[str, float] = {}

    def render(self, edition: Edition) -> SlackPayload:
        """The edition as Block Kit messages. No I/O."""
        messages = render_slack(edition, base_url=self.settings.web.base_url)
        return SlackPayload(edition_id=edition.id, messages=messages)

    async def send(self, payload: SlackPayload, to: Sequence[Recipient]) -> list[Outcome]:
        """Post the payload to every recipient; one Outcome each, in order."""
        if self.outbox is not None:
            messages = payload.posts()
            outbox, edition_id = self.outbox, payload.edition_id
            return await asyncio.to_thread(write_outbox, outbox, edition_id, messages, to)
        limit = asyncio.Semaphore(self.concurrency)
        tokens: dict[str, asyncio.Task[str | None]] = {}
        # with a shared session slack_sdk uses the session's timeout, not the client's
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:

            async def one(recipient: Recipient) -> Outcome:
                target = SlackTarget.parse(recipient.address)
                if target is None:
                    return Outcome.gone(recipient.subscriber_id, "invalid slack address")
                if target.team_id not in tokens:
                    tokens[target.team_id] = asyncio.ensure_future(self.token_for(target.team_id))
                try:
                    token = await tokens[target.team_id]
                except Exception as exc:  # the installation store is down: try later
                    reason = f"token lookup failed: {type(exc).__name__}"
                    return Outcome.transient(recipient.subscriber_id, reason)
                if not token:
                    return Outcome.gone(recipient.subscriber_id, "app not installed")
                client = self._client(token, session)
                return await _Thread(self, client, payload, recipient, target, limit).post()

            return list(await asyncio.gather(*(one(r) for r in to)))

    def _client(self, token: str, session: aiohttp.ClientSession) -> AsyncWebClient:
        kwargs: dict[str, Any] = {}
        if self.settings.slack.api_base:
            kwargs["base_url"] = self.settings.slack.api_base
        return AsyncWebClient(
            token=token,
            session=session,
            timeout=int(self.timeout) or 1,  # used only without a session
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(max_retry_count=RETRIES),
                AsyncRateLimitErrorRetryHandler(max_retry_count=RETRIES),
                AsyncServerErrorRetryHandler(max_retry_count=RETRIES),
            ],
            **kwargs,
        )

    async def post(
        self,
        client: AsyncWebClient,
        channel: str,
        message: SlackMessage,
        sid: str,
        pace_key: str | None = None,
        **extra: Any,
    ) -> tuple[dict[str, Any] | None, Outcome | None]:
        """One chat.postMessage: (Slack's answer, None) or (None, the failure).

        The caller paces it (:meth:`pace`); the time it ends is the channel's last post.
        """
        try:
            response = await client.chat_postMessage(
                channel=channel, **message.as_kwargs(), **extra
            )
        except SlackApiError as exc:
            return None, _classify(sid, exc)
        except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            return None, Outcome.transient(sid, f"slack unreachable: {type(exc).__name__}")
        finally:
            self._last_post[pace_key or channel] = time.monotonic()
        data = response.data if isinstance(response.data, dict) else {}
        return data, None

    async def pace(self, channel: str) -> None:
        """Wait until ``channel``'s last post is ``min_interval`` old (Slack's per-channel pace)."""
        last = self._last_post.get(channel)
        if last is not None:
            wait = self.min_interval - (time.monotonic() - last)
            if wait > 0:
                await asyncio.sleep(wait)


class _Thread:
    """One recipient's digest: the parent message, then each reply in its thread."""

    def __init__(
        self,
        adapter: SlackAdapter,
        client: AsyncWebClient,
        payload: SlackPayload,
        recipient: Recipient,
        target: SlackTarget,
        limit: asyncio.Semaphore,
    ) -> None:
        self.adapter = adapter
        self.client = client
        self.payload = payload
        self.sid = recipient.subscriber_id
        self.target = target
        self.limit = limit
        self.log = adapter.threads
        # where replies go: the channel Slack answered with (a DM to a user id is a D...)
        self.channel = target.channel

    async def post(self) -> Outcome:
        mark = self._resume()
        if mark is None:
            mark, failure = await self._parent()
            if failure is not None:
                return failure
        self.channel = mark.channel or self.target.channel
        return await self._replies(mark)

    def _resume(self) -> ThreadMark | None:
        if self.log is None:
            return None
        return self.log.get(self.payload.edition_id, self.sid)

    async def _send(
        self, channel: str, message: SlackMessage, **extra: Any
    ) -> tuple[dict[str, Any] | None, Outcome | None]:
        # paced outside the semaphore: a channel's wait holds no other channel's post back
        paced = self.target.channel
        await self.adapter.pace(paced)
        async with self.limit:
            return await self.adapter.post(
                self.client, channel, message, self.sid, pace_key=paced, **extra
            )

    async def _parent(self) -> tuple[ThreadMark, Outcome | None]:
        data, failure = await self._send(self.target.channel, self.payload.parent)
        if failure is not None or data is None:
            return ThreadMark(""), failure or Outcome.transient(self.sid, "no answer")
        answered = str(data.get("channel") or self.target.channel)
        mark = ThreadMark(str(data.get("ts") or ""), 0, _other(answered, self.target.channel))
        self._save(mark)
        return mark, None

    async def _replies(self, mark: ThreadMark) -> Outcome:
        replies = self.payload.replies
        for number in range(mark.posted, len(replies)):
            _, failure = await self._send(self.channel, replies[number], thread_ts=mark.ts)
            if failure is not None and failure.kind is OutcomeKind.REJECTED:
                log.warning(
                    "slack reply %d/%d skipped: %s", number + 1, len(replies), failure.reason
                )
            elif failure is not None:
                return self._cut(failure, number)
            mark = ThreadMark(mark.ts, number + 1, mark.channel)
            self._save(mark)
        return Outcome.sent(self.sid)

    def _cut(self, failure: Outcome, number: int) -> Outcome:
        """A thread stopped at reply ``number``: resumable, or counted as sent."""
        if failure.kind is OutcomeKind.GONE:
            return failure
        reason = f"thread {number}/{len(self.payload.replies)}: {failure.reason}"
        if self.log is None:
            log.warning("slack digest cut short: partial %s", reason)
            return Outcome(self.sid, OutcomeKind.SENT, f"partial {reason}")
        return Outcome.transient(self.sid, reason, failure.retry_after)

    def _save(self, mark: ThreadMark) -> None:
        if self.log is not None and mark.ts:
            self.log.save(self.payload.edition_id, self.sid, mark)


def _other(answered: str, target: str) -> str:
    """The conversation Slack answered with, kept only when it is not the address's own."""
    return "" if answered == target else answered


def _classify(subscriber_id: str, exc: SlackApiError) -> Outcome:
    response = exc.response
    data = response.data if isinstance(response.data, dict) else {}
    code = str(data.get("error") or f"http_{response.status_code}")
    if code in GONE:
        return Outcome.gone(subscriber_id, code)
    if code in REJECTED:
        return Outcome.rejected(subscriber_id, code)
    retry_after = None
    if response.status_code == 429:
        header = (response.headers or {}).get("retry-after") or (response.headers or {}).get(
            "Retry-After"
        )
        retry_after = float(header[0] if isinstance(header, list) else header or 1)
    return Outcome.transient(subscriber_id, code, retry_after)
