"""Every channel by name: its limits (data) and the one place that builds its adapter.

Adding a channel = one package in ``bots/`` (``limits.py``, ``render.py``,
``adapter.py``) + one entry in :data:`ADAPTERS` + a row in the shared contract tests
(tests/bots/test_adapter_contract.py).

:func:`build_adapter` chooses the transport from settings: SMTP when
``settings.smtp.host`` is set (else the Maildir outbox); the Slack Web API when a bot
token or an OAuth client is configured (else JSON files in the outbox); the LINE API when
a channel access token is set (else the outbox).

The limits modules are light; an adapter module (and its SDK: line-bot-sdk alone takes
seconds) is imported when that channel's adapter is first built, so the cron and the
CLI read a channel's limits without loading every SDK. The worker builds every adapter
in ``workers.jobs.warm_up``, before it forks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bots.base import ChannelAdapter, ChannelLimits
from bots.email.limits import LIMITS as EMAIL_LIMITS
from bots.line.limits import LIMITS as LINE_LIMITS
from bots.slack.limits import LIMITS as SLACK_LIMITS
from core.errors import ConfigError
from core.store.base import Store


def _email(store: Store) -> ChannelAdapter:
    from bots.email.adapter import EmailAdapter

    return EmailAdapter(store.settings)


def _slack(store: Store) -> ChannelAdapter:
    from bots.slack.adapter import SlackAdapter, ThreadProgress

    settings = store.settings
    if settings.slack.bot_token is None and settings.slack.client_id is None:
        return SlackAdapter(settings, outbox=settings.digest.outbox_dir / "slack")
    # a thread cut short resumes on the job's retry instead of posting its parent again
    return SlackAdapter(settings, token_for=_installed_token(store), threads=ThreadProgress(store))


def _line(store: Store) -> ChannelAdapter:
    from bots.line.adapter import LineAdapter

    settings = store.settings
    if settings.line.channel_access_token is None:
        return LineAdapter(settings, outbox=settings.digest.outbox_dir / "line")
    return LineAdapter(settings)


@dataclass(frozen=True)
class Registered:
    """One channel: the limits its renderer, adapter and jobs read, and its builder."""

    limits: ChannelLimits
    build: Callable[[Store], ChannelAdapter]


#: channel name -> its limits and the function that builds its adapter from settings.
ADAPTERS: dict[str, Registered] = {
    "email": Registered(EMAIL_LIMITS, _email),
    "slack": Registered(SLACK_LIMITS, _slack),
    "line": Registered(LINE_LIMITS, _line),
}


def _registered(channel: str) -> Registered:
    entry = ADAPTERS.get(channel)
    if entry is None:
        raise ConfigError(f"unknown channel {channel!r} (known: {', '.join(ADAPTERS)})")
    return entry


def limits_for(channel: str) -> ChannelLimits:
    """The limits of ``channel`` (sizes, chunking, retry policy), without building it."""
    return _registered(channel).limits


def build_adapter(channel: str, store: Store) -> ChannelAdapter:
    """The adapter for ``channel`` with the transport the settings call for."""
    return _registered(channel).build(store)


def _installed_token(store: Store) -> Any:
    # the web room's installation store answers per workspace (and the single token)
    from bots.slack.install_store import bot_token_for

    async def lookup(team_id: str) -> str | None:
        return await bot_token_for(store, team_id)

    return lookup
