"""``ClusterRepo``: the clusterer's window, its articles' embeddings and the clustering lock.

Layout (keys in ``core.store.keys``): ``cluster:state``, the window as zlib-compressed
JSON; ``cluster:vec:{article}``, an article's embedding by the bundled model, or
``cluster:emb:{model digest}:{article}`` by a configured model (each expiring once its
article has left the window, plus CLUSTER_VECTOR_SLACK); ``cluster:lock``, held while one
process places articles.
"""

from __future__ import annotations

import contextlib
import json
import logging
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

import redis

from core.models import short_hash
from core.store.base import Store
from core.store.keys import CLUSTER_VECTOR_SLACK

__all__ = ["ClusterRepo"]

log = logging.getLogger(__name__)

_CHUNK = 500  # keys per MGET


class ClusterRepo:
    """The clustering window in Redis. ``model`` names the embedding model whose vectors
    are meant; ``None`` is the bundled one."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.redis = store.redis
        self.keys = store.keys

    def state(self) -> dict[str, Any] | None:
        """The window as last saved; ``None`` when none was saved or it is unreadable."""
        raw = cast(bytes | None, self.redis.get(self.keys.cluster_state()))
        if raw is None:
            return None
        try:
            return cast(dict[str, Any], json.loads(zlib.decompress(raw)))
        except (zlib.error, ValueError) as exc:
            log.warning("cluster state unreadable (%s); starting an empty window", exc)
            return None

    def vectors(self, model: str | None, article_ids: Sequence[str]) -> dict[str, bytes]:
        """The stored embeddings of those articles that have one."""
        codes: dict[str, bytes] = {}
        for start in range(0, len(article_ids), _CHUNK):
            chunk = article_ids[start : start + _CHUNK]
            found = cast(
                list[bytes | None], self.redis.mget([self.vector_key(model, i) for i in chunk])
            )
            codes.update((i, code) for i, code in zip(chunk, found, strict=True) if code)
        return codes

    def save(self, state: Mapping[str, Any], model: str | None, codes: Mapping[str, bytes]) -> None:
        """Store the window and the embeddings of articles new to it, in one round trip."""
        blob = zlib.compress(json.dumps(state, separators=(",", ":")).encode(), 1)
        ttl = int(self.store.settings.stories.window_hours * 3600) + CLUSTER_VECTOR_SLACK
        pipe = self.redis.pipeline(transaction=False)
        for article_id, code in codes.items():
            pipe.set(self.vector_key(model, article_id), code, ex=ttl)
        pipe.set(self.keys.cluster_state(), blob)
        pipe.execute()

    def vector_key(self, model: str | None, article_id: str) -> str:
        """Where an article's embedding by ``model`` is kept: the bundled model's under
        ``cluster_vector``, a configured model's under a key naming that model."""
        if model is None:
            return self.keys.cluster_vector(article_id)
        return self.keys.embedding_vector(short_hash("embedder", model, size=8), article_id)

    @contextlib.contextmanager
    def locked(self, *, timeout: float, wait: float) -> Iterator[bool]:
        """Hold the clustering lock (a crashed holder's lapses after ``timeout`` seconds),
        waiting up to ``wait`` seconds for it; yields whether it was acquired."""
        lock = self.redis.lock(self.keys.cluster_lock(), timeout=timeout, blocking_timeout=wait)
        acquired = bool(lock.acquire())
        try:
            yield acquired
        finally:
            if acquired:
                with contextlib.suppress(redis.exceptions.LockError):
                    lock.release()  # it may have expired after ``timeout``
