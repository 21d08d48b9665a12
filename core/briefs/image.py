"""The lead image of a brief: the picture of the story's most authoritative article.

Only an article page's own lead image (``og:image``, read by the ingest) is used, and
only when it is an https or http URL without spaces or quotes. Renderers decide where it
goes (e-mail: linked ``<img>``; LINE: https hero only) via ``core.render.common``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.briefs.inputs import SourceText
from core.briefs.text import shorten
from core.models import Brief, BriefImage

MAX_ALT = 200
_UNSAFE = frozenset(" \t\r\n\"'<>")


def lead_image(
    inputs: Sequence[SourceText], authority: Mapping[str, float] | None = None
) -> BriefImage | None:
    """The image of the most authoritative input that has one (ties: story order).

    ``authority`` maps source ids to ``Source.authority`` (``SourceRepo.authority()``);
    without it the first input with an image wins. The alt text is that article's title;
    the image links to that article.
    """
    weights = authority or {}
    candidates = [
        (-weights.get(item.source_id, 0.0), n, item)
        for n, item in enumerate(inputs)
        if item.image and usable_image_url(item.image)
    ]
    if not candidates:
        return None
    _, _, best = min(candidates, key=lambda c: (c[0], c[1]))
    assert best.image is not None  # filtered above
    return BriefImage(url=best.image, alt=shorten(best.title, MAX_ALT), link=best.url)


def usable_image_url(url: str) -> bool:
    """An absolute http(s) URL that cannot break out of an attribute."""
    return url.startswith(("https://", "http://")) and not (_UNSAFE & set(url))


def with_lead_image(
    brief: Brief, inputs: Sequence[SourceText], authority: Mapping[str, float] | None = None
) -> Brief:
    """``brief`` with its lead image set from ``inputs`` (kept as is when none has one)."""
    if brief.image is not None:
        return brief
    image = lead_image(inputs, authority)
    return brief if image is None else brief.model_copy(update={"image": image})
