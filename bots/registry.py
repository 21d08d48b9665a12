"""Every channel adapter, by channel name, and the one place that builds them.

Adding a channel = one package in ``bots/`` + its builder here and one line in
:data:`ADAPTERS` + a row in the shared contract tests (tests/bots/test_adapter_contract.py).

:func:`build_adapter` chooses the transport from settings: SMTP when
``settings.smtp.host`` is set (else the Maildir outbox); the Slack Web API when a bot
token or an OAuth client is configured (else JSON files in the outbox); the LINE API when
a channel access token is set (else the outbox).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bots.base import ChannelAdapter
from bots.email.adapter import EmailAdapter
from bots.line.adapter import LineAdapter
from bots.slack.adapter import SlackAdapter
from core.errors import ConfigError
from core.store.base import Store


def _email(store: Store) -> ChannelAdapter:
    return EmailAdapter(store.settings)


def _slack(store: Store) -> ChannelAdapter:
    settings = store.settings
    if settings.slack.bot_token is None and settings.slack.client_id is None:
        return SlackAdapter(settings, outbox=settings.digest.outbox_dir / "slack")
    return SlackAdapter(settings, token_for=_installed_token(store))


def _line(store: Store) -> ChannelAdapter:
    settings = store.settings
    if settings.line.channel_access_token is None:
        return LineAdapter(settings, outbox=settings.digest.outbox_dir / "line")
    return LineAdapter(settings)


#: channel name -> the function that builds its adapter from the store's settings.
ADAPTERS: dict[str, Callable[[Store], ChannelAdapter]] = {
    EmailAdapter.channel: _email,
    SlackAdapter.channel: _slack,
    LineAdapter.channel: _line,
}


def build_adapter(channel: str, store: Store) -> ChannelAdapter:
    """The adapter for ``channel`` with the transport the settings call for."""
    builder = ADAPTERS.get(channel)
    if builder is None:
        raise ConfigError(f"unknown channel {channel!r} (known: {', '.join(ADAPTERS)})")
    return builder(store)


def _installed_token(store: Store) -> Any:
    # the web room's installation store answers per workspace (and the single token)
    from bots.slack.install_store import bot_token_for

    async def lookup(team_id: str) -> str | None:
        return await bot_token_for(store, team_id)

    return lookup
