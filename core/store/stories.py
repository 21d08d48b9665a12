"""``StoryRepo``: every storage query about stories, in one place.

Layout (keys in ``core.store.keys``): Story JSON under ``story:{id}`` (TTL STORY_TTL);
``stories:by_time``, ids scored by ``last_updated``; ``story:alias:{id}`` pointing a
story merged away by clustering at the story that absorbed it, so old links still work.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import cast

from core.models import Story, utcnow
from core.store.base import Store
from core.store.keys import STORY_TTL

_CHUNK = 500


class StoryRepo:
    """Stories in Redis."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.redis = store.redis
        self.keys = store.keys

    def get(self, story_id: str) -> Story | None:
        """A story by id, following a merge alias; ``None`` when unknown or expired."""
        for _ in range(8):  # a merged story may itself have been merged since
            raw = self.redis.get(self.keys.story(story_id))
            if raw is not None:
                return Story.model_validate_json(raw)
            target = cast(bytes | None, self.redis.get(self.keys.story_alias(story_id)))
            if target is None:
                return None
            story_id = target.decode()
        return None

    def get_many(self, ids: Sequence[str]) -> list[Story]:
        """Stories in the order of ``ids``; missing ones skipped."""
        out: list[Story] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            raws = self.redis.mget([self.keys.story(i) for i in chunk])
            out.extend(Story.model_validate_json(raw) for raw in raws if raw is not None)
        return out

    def save(self, story: Story) -> None:
        """Store a story and index it by its last update."""
        self.save_many([story])

    def save_many(self, stories: Sequence[Story]) -> None:
        """Store several stories in one round trip."""
        pipe = self.redis.pipeline(transaction=False)
        for story in stories:
            pipe.set(self.keys.story(story.id), story.model_dump_json(), ex=STORY_TTL)
            pipe.zadd(self.keys.stories_by_time(), {story.id: story.last_updated.timestamp()})
        oldest = (utcnow() - timedelta(seconds=STORY_TTL)).timestamp()
        pipe.zremrangebyscore(self.keys.stories_by_time(), "-inf", f"({oldest}")
        pipe.execute()

    def merge_away(self, gone_id: str, into_id: str) -> None:
        """Drop a story that clustering merged into another, leaving an alias behind."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(self.keys.story(gone_id))
        pipe.zrem(self.keys.stories_by_time(), gone_id)
        pipe.set(self.keys.story_alias(gone_id), into_id, ex=STORY_TTL)
        pipe.execute()

    def ids_since(self, hours: float) -> list[str]:
        """Ids of stories updated in the last ``hours``, newest first."""
        since = (utcnow() - timedelta(hours=hours)).timestamp()
        raw = cast(
            list[bytes], self.redis.zrevrangebyscore(self.keys.stories_by_time(), "+inf", since)
        )
        return [i.decode() for i in raw]

    def recent(self, hours: float, limit: int | None = None) -> list[Story]:
        """Stories updated in the last ``hours``, best score first."""
        stories = self.get_many(self.ids_since(hours))
        stories.sort(key=lambda s: (-s.score, -s.last_updated.timestamp()))
        return stories if limit is None else stories[:limit]

    def iter_since(self, hours: float) -> Iterator[Story]:
        """Stories updated in the last ``hours``, newest first, loaded in chunks."""
        ids = self.ids_since(hours)
        for start in range(0, len(ids), _CHUNK):
            yield from self.get_many(ids[start : start + _CHUNK])
