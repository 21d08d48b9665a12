"""What a chat was last shown: the story ids of its last list, so "brief <n>" can answer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from core.store.base import Store
from core.store.keys import LAST_LIST_TTL

__all__ = ["ChatRepo"]


class ChatRepo:
    """Every storage query about a chat's own state, in one place."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.redis: Any = store.redis
        self.keys = store.keys

    def remember_list(self, channel: str, address_digest: str, story_ids: Sequence[str]) -> None:
        """Keep the story ids last shown to this chat (LAST_LIST_TTL)."""
        key = self.keys.chat_last_list(channel, address_digest)
        self.redis.set(key, json.dumps(list(story_ids)), ex=LAST_LIST_TTL)

    def last_list(self, channel: str, address_digest: str) -> list[str]:
        """The story ids last shown to this chat (empty when none or expired)."""
        raw = self.redis.get(self.keys.chat_last_list(channel, address_digest))
        ids: list[str] = json.loads(raw) if raw else []
        return ids
