"""Editions with briefs for renderer and adapter tests (built directly: renderers are pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.models import (
    Brief,
    BriefSource,
    Channel,
    Edition,
    EditionItem,
    FAQItem,
    Generator,
    KeyPoints,
)

NOW = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)

HOSTILE = "<!channel> & <@U024BE7LH> <https://evil.example|click> <script>alert(1)</script>"


def make_brief(
    n: int,
    *,
    language: str = "en",
    extractive: bool = False,
    headline: str | None = None,
    text_size: int = 1,
    sources: int = 2,
) -> Brief:
    """Brief number ``n``; ``extractive`` leaves out why/what-to-watch/FAQ as extractive
    briefs may; ``text_size`` multiplies the prose to push renderers to their limits."""
    story_id = f"story{n:04d}"
    prose = "Researchers released a model that beats the previous state of the art. "
    return Brief(
        story_id=story_id,
        headline=headline or f"Lab {n} releases an open model with a 1M-token context window",
        sources=[
            BriefSource(
                name=f"Source {k}",
                url=f"https://news{k}.example.org/{story_id}?a=1&b=2",
                published=NOW - timedelta(hours=k + 1),
                reading_minutes=k + 2,
            )
            for k in range(sources)
        ],
        dek=(prose * text_size).strip(),
        key_takeaway=f"Takeaway {n}: " + (prose * text_size).strip(),
        key_points=KeyPoints(
            what_happened="It shipped. " * text_size,
            why_it_matters=None if extractive else "It changes costs. " * text_size,
            what_to_watch=None if extractive else "Watch the benchmarks. " * text_size,
        ),
        faq=[] if extractive else [FAQItem(question="Is it open?", answer="Yes.")],
        language=language,
        generator=Generator(kind="extractive" if extractive else "llm", prompt_version="t1"),
        created_at=NOW,
    )


def make_edition(
    count: int = 5,
    *,
    channel: Channel = "email",
    language: str = "en",
    extractive: bool = False,
    text_size: int = 1,
    hostile: bool = False,
    edition_id: str = "ed0001",
) -> Edition:
    """An edition of ``count`` stories with their briefs loaded, as load_for_render gives."""
    briefs = [
        make_brief(
            n,
            language=language,
            extractive=extractive,
            text_size=text_size,
            headline=f"{HOSTILE} {n}" if hostile else None,
        )
        for n in range(1, count + 1)
    ]
    if hostile:
        briefs = [b.model_copy(update={"dek": HOSTILE, "key_takeaway": HOSTILE}) for b in briefs]
    return edition_of(briefs, channel=channel, language=language, edition_id=edition_id)


def edition_of(briefs: list[Brief], *, channel: Channel, language: str, edition_id: str) -> Edition:
    """The edition at ``NOW`` of these briefs, one item each, with the briefs loaded."""
    return Edition(
        id=edition_id,
        channel=channel,
        language=language,
        slot=NOW,
        created_at=NOW,
        items=[EditionItem(story_id=b.story_id, brief_key=f"k{b.story_id}") for b in briefs],
        briefs=briefs,
    )
