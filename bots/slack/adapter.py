"""The Slack channel: Block Kit digests posted with each workspace's bot token.

A Slack recipient's address is ``"TEAM/CHANNEL"`` (or ``"TEAM/USER"`` for a DM); the token
comes from an injected async lookup ``team_id -> token`` (the Redis installation store in
multi-workspace mode, ``settings.slack.bot_token`` in single-workspace mode). Messages to
one channel are spaced about one second apart (Slack's per-channel rate); a 429 waits
``Retry-After`` once through slack_sdk's retry handler, then the recipient is TRANSIENT.

Outcomes: the codes in :data:`GONE` mean the app can no longer post there (stop);
the codes in :data:`REJECTED` mean our payload is wrong (alert); anything else is
TRANSIENT. When a digest spans several messages and a later one fails after the first
went out, the recipient counts as SENT (with a "partial" reason) rather than TRANSIENT,
so a retry never repeats the part already posted.

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
from typing import Any, ClassVar

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
from bots.slack.render import SlackMessage, render_slack
from core.config import Settings
from core.models import Channel, Edition, Recipient

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
    """An edition rendered for Slack: one or more messages, posted in order."""

    edition_id: str
    messages: list[SlackMessage]


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
        self._last_post: dict[str, float] = {}

    def render(self, edition: Edition) -> SlackPayload:
        """The edition as Block Kit messages. No I/O."""
        messages = render_slack(edition, base_url=self.settings.web.base_url)
        return SlackPayload(edition_id=edition.id, messages=messages)

    async def send(self, payload: SlackPayload, to: Sequence[Recipient]) -> list[Outcome]:
        """Post the payload to every recipient; one Outcome each, in order."""
        if self.outbox is not None:
            messages = [m.as_kwargs() for m in payload.messages]
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
                async with limit:
                    client = self._client(token, session)
                    return await self._post_all(client, payload, recipient, target)

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

    async def _post_all(
        self,
        client: AsyncWebClient,
        payload: SlackPayload,
        recipient: Recipient,
        target: SlackTarget,
    ) -> Outcome:
        sid = recipient.subscriber_id
        for number, message in enumerate(payload.messages):
            await self._pace(target.channel)
            failure = await self._post(client, target.channel, message, sid)
            if failure is None:
                continue
            if number > 0 and failure.kind is not OutcomeKind.GONE:
                reason = f"partial {number}/{len(payload.messages)}: {failure.reason}"
                log.warning("slack digest cut short: %s", reason)
                return Outcome(sid, OutcomeKind.SENT, reason)
            return failure
        return Outcome.sent(sid)

    async def _post(
        self, client: AsyncWebClient, channel: str, message: SlackMessage, sid: str
    ) -> Outcome | None:
        try:
            await client.chat_postMessage(channel=channel, **message.as_kwargs())
        except SlackApiError as exc:
            return _classify(sid, exc)
        except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Outcome.transient(sid, f"slack unreachable: {type(exc).__name__}")
        finally:
            self._last_post[channel] = time.monotonic()
        return None

    async def _pace(self, channel: str) -> None:
        last = self._last_post.get(channel)
        if last is not None:
            wait = self.min_interval - (time.monotonic() - last)
            if wait > 0:
                await asyncio.sleep(wait)


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
