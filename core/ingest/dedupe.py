"""Which stored article an incoming item is: the dedupe keys.

An item is the same article as a stored one when its canonical URL matches, or its
GUID does. GUIDs are compared across all sources when they are globally unique by
form (an absolute URL, ``tag:`` or ``urn:``), canonicalised like URLs but keeping a fragment;
a bare GUID such as ``"123"`` only means something inside its own feed, so it is
scoped to the source (else two feeds numbering posts from 1 would collide).
"""

from __future__ import annotations

from collections.abc import Iterable

from core.ingest.clean import canonical_url
from core.models import Article, short_hash
from core.store.articles import KeyedArticle

_GLOBAL_GUID_SCHEMES = ("http://", "https://", "tag:", "urn:")


def url_digest(article: Article) -> str:
    """Digest of the (already canonical) URL."""
    return short_hash(article.url)


def guid_digest(article: Article) -> str | None:
    """Digest of the GUID, global or scoped to the source; ``None`` without a GUID."""
    guid = (article.guid or "").strip()
    if not guid:
        return None
    if guid.lower().startswith(_GLOBAL_GUID_SCHEMES):
        if guid.lower().startswith(("http://", "https://")):
            # A GUID is an identity: unlike a link, its fragment may be what tells
            # items apart (a changelog's "page#v2.3"), so it is kept.
            fragment = guid.partition("#")[2]
            guid = canonical_url(guid) + (f"#{fragment}" if fragment else "")
        return short_hash("guid", guid)
    return short_hash("guid", article.source_id, guid)


def keyed_articles(articles: Iterable[Article]) -> list[KeyedArticle]:
    """Articles encoded for the atomic insert (``ArticleRepo.insert_keyed``): JSON and digests."""
    return [
        KeyedArticle(
            id=article.id,
            source_id=article.source_id,
            published=article.published.timestamp(),
            json=article.model_dump_json(),
            url_digest=url_digest(article),
            guid_digest=guid_digest(article),
        )
        for article in articles
    ]
