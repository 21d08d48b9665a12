"""Redis-backed Slack installation and OAuth state stores (slack_sdk ships neither for Redis).

Installations are kept per workspace: the latest bot (what deliveries need), the latest
installation, and the latest per installing user. Every key of a workspace is listed in a
set so that ``app_uninstalled`` removes them all. Keys come from ``core.store.keys``.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import (
    AsyncInstallationStore,
)
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from core.store.base import Store
from core.store.keys import OAUTH_STATE_TTL

log = logging.getLogger(__name__)


def _team_of(team_id: str | None, is_enterprise_install: bool | None) -> str:
    # An org-wide install has no single team: it is stored under team "-".
    return "" if is_enterprise_install else (team_id or "")


class RedisInstallationStore(AsyncInstallationStore):
    """Slack installations in Redis, one JSON string per (workspace, user)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        keys = self._store.keys
        ent = installation.enterprise_id or ""
        team = _team_of(installation.team_id, installation.is_enterprise_install)
        body = json.dumps(installation.__dict__)
        workspace = keys.slack_installations(ent, team)
        latest = keys.slack_installation(ent, team, "")
        per_user = keys.slack_installation(ent, team, installation.user_id or "")
        pipe = self._store.redis.pipeline()
        pipe.set(latest, body)
        pipe.set(per_user, body)
        pipe.sadd(workspace, latest, per_user)
        pipe.execute()
        await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        if bot.bot_token is None:
            return
        keys = self._store.keys
        ent = bot.enterprise_id or ""
        team = _team_of(bot.team_id, bot.is_enterprise_install)
        body = json.dumps(bot.__dict__)
        pipe = self._store.redis.pipeline()
        pipe.set(keys.slack_bot(ent, team), body)
        if ent and team:
            # Deliveries know only "TEAM/CHANNEL": index the bot by team alone too.
            pipe.set(keys.slack_bot("", team), body)
        pipe.execute()

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        key = self._store.keys.slack_bot(
            enterprise_id or "", _team_of(team_id, is_enterprise_install)
        )
        data = self._load(key)
        return Bot(**data) if data is not None else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        ent = enterprise_id or ""
        team = _team_of(team_id, is_enterprise_install)
        data = self._load(self._store.keys.slack_installation(ent, team, user_id or ""))
        if data is None:
            return None
        installation = Installation(**data)
        bot = await self.async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if bot is not None and installation.bot_token != bot.bot_token:
            # A user's own record may predate the newest bot token: serve the newest.
            installation.bot_id = bot.bot_id
            installation.bot_user_id = bot.bot_user_id
            installation.bot_token = bot.bot_token
            installation.bot_scopes = bot.bot_scopes
            installation.bot_refresh_token = bot.bot_refresh_token
            installation.bot_token_expires_at = bot.bot_token_expires_at
        return installation

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        keys = self._store.keys
        ent, team = enterprise_id or "", team_id or ""
        self._store.redis.delete(keys.slack_bot(ent, team), keys.slack_bot("", team))

    async def async_delete_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
    ) -> None:
        keys = self._store.keys
        ent, team = enterprise_id or "", team_id or ""
        workspace = keys.slack_installations(ent, team)
        if user_id:
            key = keys.slack_installation(ent, team, user_id)
            self._store.redis.delete(key)
            self._store.redis.srem(workspace, key)
            return
        members = [_text(m) for m in self._store.redis.smembers(workspace)]
        self._store.redis.delete(workspace, *members)

    def _load(self, key: str) -> dict[str, Any] | None:
        raw = self._store.redis.get(key)
        if raw is None:
            return None
        data: dict[str, Any] = json.loads(raw)
        return data


class RedisOAuthStateStore(AsyncOAuthStateStore):
    """OAuth ``state`` values: issued with a TTL, each consumed at most once."""

    def __init__(self, store: Store, expiration_seconds: int = OAUTH_STATE_TTL) -> None:
        self._store = store
        self._ttl = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        self._store.redis.set(self._store.keys.slack_oauth_state(state), b"1", ex=self._ttl)
        return state

    async def async_consume(self, state: str) -> bool:
        if not state or len(state) > 200:
            return False
        return self._store.redis.getdel(self._store.keys.slack_oauth_state(state)) is not None


async def bot_token_for(store: Store, team_id: str) -> str | None:
    """The bot token for a workspace: the single-workspace token, else its installation."""
    configured = store.settings.slack.bot_token
    if configured is not None:
        return configured.get_secret_value()
    bot = await RedisInstallationStore(store).async_find_bot(enterprise_id=None, team_id=team_id)
    return bot.bot_token if bot is not None else None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
