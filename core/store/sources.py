"""``SourceRepo``: the feeds we read and what we remember about fetching each one.

Sources live in one hash (id -> Source JSON); fetch state in one hash per source.
The first time the repository is used and nothing was ever stored, it seeds itself
from the list the store was opened with (``Store.shipped_sources``: the processes hand
in :func:`core.ingest.sources.default_sources`); a marker key records that, so removing
every source later does not bring the defaults back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

from redis.typing import EncodableT, FieldT

from core.models import FetchState, Source
from core.store.base import Store


class SourceRepo:
    """Every storage query about sources, in one place."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.redis = store.redis
        self.keys = store.keys

    def all(self) -> list[Source]:
        """Every stored source (enabled or not), sorted by id; seeds on first use."""
        self.seed_defaults()
        raw = self.redis.hgetall(self.keys.sources())
        sources = [Source.model_validate_json(v) for v in raw.values()]
        return sorted(sources, key=lambda s: s.id)

    def get(self, source_id: str) -> Source | None:
        """One source, or ``None``."""
        self.seed_defaults()
        raw = self.redis.hget(self.keys.sources(), source_id)
        return None if raw is None else Source.model_validate_json(raw)

    def save_last_run(self, report_json: str) -> None:
        """Keep the last ingest run's report (JSON), for `aitoday status`."""
        self.redis.set(self.keys.ingest_last_run(), report_json)

    def last_run(self) -> bytes | None:
        """The last ingest run's report as stored (JSON), or None before the first run."""
        return cast(bytes | None, self.redis.get(self.keys.ingest_last_run()))

    def ids(self) -> set[str]:
        """Ids of the stored sources (does not seed the defaults)."""
        return {raw.decode() for raw in cast(list[bytes], self.redis.hkeys(self.keys.sources()))}

    def put(self, source: Source) -> None:
        """Insert or replace a source."""
        self.put_many([source])

    def put_many(self, sources: Iterable[Source]) -> None:
        """Insert or replace several sources in one round trip."""
        mapping: dict[FieldT, EncodableT] = {s.id: s.model_dump_json() for s in sources}
        if mapping:
            self.redis.hset(self.keys.sources(), mapping=mapping)

    def remove(self, source_id: str) -> bool:
        """Forget a source and its fetch state; False when it did not exist."""
        self.seed_defaults()
        pipe = self.redis.pipeline()
        pipe.hdel(self.keys.sources(), source_id)
        pipe.delete(self.keys.source_state(source_id))
        removed, _ = pipe.execute()
        return bool(removed)

    def by_url(self, url: str) -> Source | None:
        """The stored source with exactly this feed URL, if any."""
        return next((s for s in self.all() if s.url == url), None)

    def authority(self) -> dict[str, float]:
        """source id -> authority weight (for ranking)."""
        return {s.id: s.authority for s in self.all()}

    def seed_defaults(self) -> bool:
        """Store the shipped sources once, if this Redis never had sources; True if it did.

        Concurrent first uses are harmless: each source is written with HSETNX.
        """
        marker = self.keys.sources_seeded()
        if self.redis.exists(marker):
            return False
        if self.redis.exists(self.keys.sources()):
            self.redis.set(marker, "1")
            return False
        if self.store.shipped_sources is None:
            return False  # opened without a list to seed with: a later process seeds
        try:
            defaults = self.store.shipped_sources()
        except FileNotFoundError:
            return False  # no shipped list in this checkout: try again next time
        pipe = self.redis.pipeline()
        for source in defaults:
            pipe.hsetnx(self.keys.sources(), source.id, source.model_dump_json())
        pipe.set(marker, "1")
        pipe.execute()
        return True

    # -- fetch state ------------------------------------------------------------------
    def state(self, source_id: str) -> FetchState:
        """The fetch state of one source (empty for a new source)."""
        raw = cast(dict[bytes, bytes], self.redis.hgetall(self.keys.source_state(source_id)))
        return FetchState.from_redis(raw)

    def states(self, source_ids: Sequence[str]) -> dict[str, FetchState]:
        """Fetch states of many sources in one round trip."""
        pipe = self.redis.pipeline(transaction=False)
        for source_id in source_ids:
            pipe.hgetall(self.keys.source_state(source_id))
        return {
            sid: FetchState.from_redis(raw)
            for sid, raw in zip(source_ids, pipe.execute(), strict=True)
        }

    def save_state(self, source_id: str, state: FetchState) -> None:
        """Replace the fetch state of one source."""
        self.save_states({source_id: state})

    def save_states(self, states: dict[str, FetchState]) -> None:
        """Replace many fetch states in one round trip."""
        pipe = self.redis.pipeline()
        for source_id, state in states.items():
            key = self.keys.source_state(source_id)
            pipe.delete(key)
            fields: dict[FieldT, EncodableT] = {k: v for k, v in state.to_redis().items()}
            if fields:
                pipe.hset(key, mapping=fields)
        pipe.execute()
