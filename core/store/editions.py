"""Editions in Redis: one record per digest variant, read back with its briefs to render.

``edition:<id>`` holds the Edition JSON without briefs (they live once, in the brief
cache, shared by every edition that carries the story); ``editions:by_time`` lists
editions by slot for ``aitoday status``. Both expire after EDITION_TTL. An edition holds
no recipient: who gets it travels in the delivery batches only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from core.errors import StoreError
from core.models import Brief, Edition
from core.store.base import Store
from core.store.briefs import BriefRepo
from core.store.keys import EDITION_TTL

__all__ = ["EditionRepo"]

# SET with a TTL for many keys in one call (ARGV[i + 1] for KEYS[i]): a tick stores
# tens of thousands of editions, and one command each costs more to pack than to run.
_SET_MANY = """
local ttl = ARGV[1]
for i, key in ipairs(KEYS) do redis.call('SET', key, ARGV[i + 1], 'EX', ttl) end
return #KEYS
"""
_CHUNK = 500  # editions per call


class EditionRepo:
    """Every storage query about editions."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # redis-py's stubs type replies as a union of every shape; we decode ourselves.
        self.redis: Any = store.redis
        self.keys = store.keys

    def save(self, edition: Edition) -> None:
        """Store an edition (its briefs are not stored here) and index it by slot."""
        self.save_many([edition])

    def save_many(self, editions: Sequence[Edition]) -> None:
        """Store many editions in one round trip."""
        if not editions:
            return
        script = self.redis.register_script(_SET_MANY)
        pipe = self.redis.pipeline(transaction=False)
        index = self.keys.editions_by_time()
        for start in range(0, len(editions), _CHUNK):
            chunk = editions[start : start + _CHUNK]
            keys = [self.keys.edition(e.id) for e in chunk]
            bodies = [e.model_dump_json(exclude={"briefs"}, exclude_defaults=True) for e in chunk]
            script(keys=keys, args=[EDITION_TTL, *bodies], client=pipe)
        pipe.zadd(index, {e.id: int(e.slot.timestamp()) for e in editions})
        oldest = max(e.slot.timestamp() for e in editions) - EDITION_TTL
        pipe.zremrangebyscore(index, "-inf", oldest)
        pipe.execute()

    def get(self, edition_id: str) -> Edition | None:
        """The edition without briefs, or None when unknown or expired."""
        raw = self.redis.get(self.keys.edition(edition_id))
        return None if raw is None else Edition.model_validate_json(raw)

    def between(self, start: datetime, end: datetime) -> list[Edition]:
        """Editions whose slot lies in [start, end], oldest first."""
        ids = self.redis.zrangebyscore(
            self.keys.editions_by_time(), int(start.timestamp()), int(end.timestamp())
        )
        if not ids:
            return []
        raws = self.redis.mget([self.keys.edition(i.decode()) for i in ids])
        return [Edition.model_validate_json(raw) for raw in raws if raw is not None]

    def story_ids(self, edition_ids: Sequence[str]) -> dict[str, list[str]]:
        """The story ids of each edition still stored (a subscriber's sent history)."""
        found: dict[str, list[str]] = {}
        for start in range(0, len(edition_ids), 1000):
            chunk = edition_ids[start : start + 1000]
            raws = self.redis.mget([self.keys.edition(i) for i in chunk])
            for edition_id, raw in zip(chunk, raws, strict=True):
                if raw is not None:
                    # json, not pydantic: a tick reads thousands and needs two fields.
                    found[edition_id] = [item["story_id"] for item in json.loads(raw)["items"]]
        return found

    def load_for_render(self, edition_id: str) -> Edition:
        """The edition with ``briefs`` filled, in item order, ready for a renderer.

        An item whose brief has expired from the cache is left out (and its story with
        it); an edition that is unknown or has no brief left raises StoreError, which the
        delivery job records as a failed batch.
        """
        edition = self.get(edition_id)
        if edition is None:
            raise StoreError(f"edition {edition_id} is unknown or has expired")
        briefs = self._briefs([item.brief_key for item in edition.items])
        kept = [(item, brief) for item, brief in zip(edition.items, briefs, strict=True) if brief]
        if not kept:
            raise StoreError(f"edition {edition_id}: none of its briefs is stored any more")
        edition.items = [item for item, _ in kept]
        edition.briefs = [brief for _, brief in kept if brief is not None]
        return edition

    def load_many_for_render(self, edition_ids: Sequence[str]) -> list[Edition]:
        """:meth:`load_for_render` of many editions in two round trips, in the order asked;
        an edition unknown, expired or without any brief left is left out."""
        if not edition_ids:
            return []
        raws = self.redis.mget([self.keys.edition(i) for i in edition_ids])
        editions = [Edition.model_validate_json(raw) for raw in raws if raw is not None]
        found = BriefRepo(self.store).get_many(
            sorted({item.brief_key for e in editions for item in e.items})
        )
        loaded = []
        for edition in editions:
            edition.items = [item for item in edition.items if item.brief_key in found]
            edition.briefs = [found[item.brief_key] for item in edition.items]
            if edition.items:
                loaded.append(edition)
        return loaded

    def _briefs(self, keys: Sequence[str]) -> list[Brief | None]:
        found = BriefRepo(self.store).get_many(list(keys))
        return [found.get(key) for key in keys]
