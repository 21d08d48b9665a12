"""``ArticleRepo``: stored articles, with the atomic dedupe-and-insert used by ingest.

Layout (keys in ``core.store.keys``): the Article JSON under ``article:{id}``; two
dedupe indexes, ``article:url:{digest}`` and ``article:guid:{digest}``, pointing at
the article id; and ``articles:by_time``, ids scored by published time. Everything
expires after ``settings.stories.article_ttl_days``. An item the feed still carries
refreshes its dedupe entries, so it never comes back as new after the TTL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum
from typing import cast

import redis

from core.models import Article, utcnow
from core.store.base import Store


class Outcome(IntEnum):
    """What the atomic insert did with one item (codes shared with the Lua script)."""

    NEW = 0  # stored
    KNOWN = 1  # already stored from this source (or already listed in also_in)
    ALSO_IN = 2  # stored from another source: this source appended to also_in
    EARLIER = 3  # stored from another source, which dated it later: our date now stands


@dataclass(frozen=True)
class KeyedArticle:
    """An article ready for the atomic insert: its JSON and its dedupe digests.

    Built in the parse worker (``core.ingest.dedupe.keyed_articles``), so the event loop's process
    does neither the JSON encoding nor the URL canonicalisation of GUIDs.
    """

    id: str
    source_id: str
    published: float  # epoch seconds
    json: str
    url_digest: str
    guid_digest: str | None

    def article(self) -> Article:
        """Decode it back."""
        return Article.model_validate_json(self.json)


# One call per feed; every item is checked and stored atomically, so two ingest runs
# racing on the same item store it once. ``also_in`` and ``published`` are edited
# inside the stored JSON as text: cjson would turn the empty lists of an Article into
# objects.
_INSERT = """
local by_time = KEYS[1]
local ttl = tonumber(ARGV[1])
local article_prefix = ARGV[2]
local oldest = ARGV[3]
local out = {}
local n = (#KEYS - 1) / 3
for i = 1, n do
  local akey, ukey, gkey = KEYS[3*i-1], KEYS[3*i], KEYS[3*i+1]
  local base = 3 + 5*(i-1)
  local body, score, source, id, has_guid =
    ARGV[base+1], ARGV[base+2], ARGV[base+3], ARGV[base+4], ARGV[base+5] == '1'
  local existing = redis.call('GET', ukey)
  if (not existing) and has_guid then existing = redis.call('GET', gkey) end
  if existing then
    redis.call('SET', ukey, existing, 'EX', ttl)
    if has_guid then redis.call('SET', gkey, existing, 'EX', ttl) end
    local code = 1
    local stored = redis.call('GET', article_prefix .. existing)
    if stored then
      local _, _, owner = string.find(stored, '"source_id":"([^"]*)"')
      local s, e = string.find(stored, '"also_in":[', 1, true)
      if owner ~= source and s then
        local close = string.find(stored, ']', e, true)
        local list = string.sub(stored, e + 1, close - 1)
        local changed = false
        if not string.find(list, '"' .. source .. '"', 1, true) then
          local item = '"' .. source .. '"'
          if close > e + 1 then item = ',' .. item end
          stored = string.sub(stored, 1, close - 1) .. item .. string.sub(stored, close)
          changed = true
          code = 2
        end
        -- Another source dates the item earlier: the earliest date stands. Both are
        -- our own ISO UTC strings ("...Z"), which sort as the times they name.
        local _, _, theirs = string.find(body, '"published":"([^"]*)"')
        local ps, pe, ours = string.find(stored, '"published":"([^"]*)"')
        if theirs and ours and theirs < ours then
          stored = string.sub(stored, 1, ps - 1) .. '"published":"' .. theirs .. '"'
            .. string.sub(stored, pe + 1)
          redis.call('ZADD', by_time, score, existing)
          changed = true
          code = 3
        end
        if changed then
          redis.call('SET', article_prefix .. existing, stored, 'KEEPTTL')
        end
      end
    end
    out[i] = code
  else
    redis.call('SET', akey, body, 'EX', ttl)
    redis.call('SET', ukey, id, 'EX', ttl)
    if has_guid then redis.call('SET', gkey, id, 'EX', ttl) end
    redis.call('ZADD', by_time, score, id)
    out[i] = 0
  end
end
redis.call('ZREMRANGEBYSCORE', by_time, '-inf', '(' .. oldest)
return out
"""


class ArticleRepo:
    """Every storage query about articles, in one place."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.redis = store.redis
        self.keys = store.keys
        self.ttl = int(timedelta(days=store.settings.stories.article_ttl_days).total_seconds())
        self._insert = self.redis.register_script(_INSERT)

    def get(self, article_id: str) -> Article | None:
        """One article, or ``None`` (unknown or expired)."""
        raw = self.redis.get(self.keys.article(article_id))
        return None if raw is None else Article.model_validate_json(raw)

    def get_many(self, ids: Sequence[str]) -> list[Article]:
        """Articles in the order of ``ids``; missing ones skipped; one round trip."""
        if not ids:
            return []
        raws = self.redis.mget([self.keys.article(i) for i in ids])
        return [Article.model_validate_json(raw) for raw in raws if raw is not None]

    def recent(self, hours: float) -> list[Article]:
        """Articles published in the last ``hours``, oldest first."""
        since = (utcnow() - timedelta(hours=hours)).timestamp()
        raw = cast(
            list[bytes], self.redis.zrangebyscore(self.keys.articles_by_time(), since, "+inf")
        )
        ids = [i.decode() for i in raw]
        return self.get_many(ids)

    def count(self) -> int:
        """How many articles the time index holds."""
        return int(self.redis.zcard(self.keys.articles_by_time()))

    def insert_keyed(self, items: Sequence[KeyedArticle]) -> list[Outcome]:
        """Dedupe and store, atomically, by canonical URL and GUID across all sources.

        Returns one outcome per article, in order. A duplicate from another source adds
        that source's id to the stored article's ``also_in``. One Redis call.
        """
        if not items:
            return []
        keys: list[str] = [self.keys.articles_by_time()]
        args: list[str | int | float] = [
            self.ttl,
            self.keys.article(""),
            (utcnow().timestamp() - self.ttl),
        ]
        for item in items:
            keys += [
                self.keys.article(item.id),
                self.keys.article_by_url(item.url_digest),
                self.keys.article_by_guid(item.guid_digest or "-"),
            ]
            args += [
                item.json,
                item.published,
                item.source_id,
                item.id,
                "1" if item.guid_digest else "0",
            ]
        codes = self._insert(keys=keys, args=args)
        return [Outcome(int(code)) for code in codes]

    def replace_many(self, articles: Sequence[Article]) -> None:
        """Store new versions of articles already inserted (the page's full text),
        keeping their TTL, the ``also_in`` other feeds added meanwhile, and the time index.
        """
        for article in articles:
            key = self.keys.article(article.id)

            def swap(
                pipe: redis.client.Pipeline, article: Article = article, key: str = key
            ) -> None:
                raw = pipe.get(key)
                if raw is None:
                    return  # expired or deleted meanwhile: nothing to enrich
                stored = Article.model_validate_json(raw)
                also_in = list(dict.fromkeys([*stored.also_in, *article.also_in]))
                published = min(stored.published, article.published)
                final = article.model_copy(update={"also_in": also_in, "published": published})
                pipe.multi()
                pipe.set(key, final.model_dump_json(), keepttl=True)
                pipe.zadd(
                    self.keys.articles_by_time(), {article.id: published.timestamp()}, xx=True
                )

            self.redis.transaction(swap, key)
