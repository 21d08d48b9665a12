"""The lead image a brief shows: the most authoritative article's own picture."""

from __future__ import annotations

from datetime import UTC, datetime

from core.briefs.image import lead_image, with_lead_image
from core.briefs.inputs import SourceText
from tests.render.editions import make_brief

WHEN = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)


def item(source_id: str, image: str | None) -> SourceText:
    return SourceText(
        article_id=f"a-{source_id}",
        source_id=source_id,
        source_name=source_id.title(),
        url=f"https://{source_id}.example.org/story",
        title=f"What {source_id} reported",
        summary="",
        text="",
        published=WHEN,
        language="en",
        reading_minutes=2,
        image=image,
    )


def test_the_most_authoritative_article_with_an_image_wins() -> None:
    inputs = [
        item("blog", "https://blog.example.org/a.jpg"),
        item("lab", "https://lab.example.org/b.jpg"),
        item("wire", None),
    ]
    chosen = lead_image(inputs, {"blog": 0.3, "lab": 0.9, "wire": 1.0})
    assert chosen is not None
    assert chosen.url == "https://lab.example.org/b.jpg"
    assert chosen.link == "https://lab.example.org/story"
    assert chosen.alt == "What lab reported"
    # without authorities, story order decides
    first = lead_image(inputs)
    assert first is not None and first.url == "https://blog.example.org/a.jpg"


def test_no_usable_image_means_none() -> None:
    inputs = [item("a", None), item("b", "javascript:alert(1)"), item("c", 'https://x/"><b>')]
    assert lead_image(inputs) is None
    brief = make_brief(1)
    assert with_lead_image(brief, inputs) is brief


def test_with_lead_image_sets_it_once() -> None:
    brief = with_lead_image(make_brief(1), [item("lab", "https://lab.example.org/b.jpg")])
    assert brief.image is not None and brief.image.url == "https://lab.example.org/b.jpg"
    again = with_lead_image(brief, [item("blog", "https://blog.example.org/a.jpg")])
    assert again.image == brief.image
