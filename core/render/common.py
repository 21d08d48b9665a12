"""What every renderer shares: the briefs of an edition in order, links, short texts."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from core.briefs.text import shorten
from core.i18n import label, relative_time
from core.models import Brief, BriefImage, BriefSource, Edition, FAQItem, StoryReason
from core.stories.reasons import describe

#: Per-recipient links are filled at send time from these (one str.replace each).
UNSUBSCRIBE_PLACEHOLDER = "%%AITODAY_UNSUBSCRIBE_URL%%"
PREFERENCES_PLACEHOLDER = "%%AITODAY_PREFERENCES_URL%%"
FEED_PLACEHOLDER = "%%AITODAY_FEED_URL%%"

BRAND = "AIToday"


@dataclass(frozen=True)
class StoryView:
    """One brief as every channel shows it; optional parts are None when absent."""

    story_id: str
    rank: int  # 1-based position in the edition
    headline: str
    url: str  # the brief page
    dek: str
    key_takeaway: str
    why_it_matters: str | None
    what_to_watch: str | None
    sources: list[BriefSource]
    reading_minutes: int
    age: str  # "3h ago" in the edition's language, measured from the edition's creation
    language_note: str | None = None  # set when the text is quoted untranslated
    topics: tuple[str, ...] = ()  # topic slugs (what "more / less like this" acts on)
    what_happened: str | None = None
    faq: tuple[FAQItem, ...] = ()
    image: BriefImage | None = None  # only an http(s) image; see safe_image
    image_link: str | None = None  # where the image leads: the article it came from
    reason: str | None = None  # why this story, one line in the edition's language

    def key_points(self) -> list[tuple[str, str]]:
        """(label key, text) of each key point present, in the seed's order."""
        points = (
            ("what_happened", self.what_happened),
            ("why_it_matters", self.why_it_matters),
            ("what_to_watch", self.what_to_watch),
        )
        return [(key, text) for key, text in points if text]


def key_points_heading(count: int, lang: str) -> str:
    """ "3 Key Points" with the real count; a single point is just "Key Points"."""
    return label("key_points_n", lang, n=count) if count > 1 else label("key_points", lang)


def safe_image(image: BriefImage | None, *, https_only: bool = False) -> BriefImage | None:
    """The image when its URL is a web link we may show (https only for LINE), else None.

    A 1x1 (or smaller) image is a tracking pixel, never a lead image: it is dropped.
    """
    if image is None:
        return None
    schemes = ("https://",) if https_only else ("https://", "http://")
    if not image.url.startswith(schemes) or any(c in image.url for c in " \"'<>"):
        return None
    if (image.width is not None and image.width <= 1) or (
        image.height is not None and image.height <= 1
    ):
        return None
    return image


def story_url(base_url: str, story_id: str) -> str:
    """The brief page of a story."""
    return f"{base_url.rstrip('/')}/s/{quote(story_id, safe='')}"


def story_views(edition: Edition, *, base_url: str) -> list[StoryView]:
    """The edition's briefs in item order; items whose brief is missing are skipped."""
    by_story = {brief.story_id: brief for brief in edition.briefs}
    ordered = [
        (by_story[item.story_id], item.reason)
        for item in edition.items
        if item.story_id in by_story
    ]
    if not edition.items:  # an edition built without items still shows its briefs
        ordered = [(brief, None) for brief in edition.briefs]
    return [_view(b, r, n, edition, base_url) for n, (b, r) in enumerate(ordered, start=1)]


def reason_line(reason: StoryReason | None, brief: Brief, edition: Edition) -> str | None:
    """The story's reason in the edition's language, naming the brief's first sources."""
    names = [source.name for source in brief.sources]
    return describe(reason, edition.language, names=names, weekly=edition.kind == "weekly")


def _view(
    brief: Brief, reason: StoryReason | None, rank: int, edition: Edition, base_url: str
) -> StoryView:
    newest = max((s.published for s in brief.sources), default=edition.created_at)
    return StoryView(
        story_id=brief.story_id,
        rank=rank,
        headline=clean_line(brief.headline),
        url=story_url(base_url, brief.story_id),
        dek=brief.dek.strip(),
        key_takeaway=brief.key_takeaway.strip(),
        why_it_matters=_present(brief.key_points.why_it_matters),
        what_to_watch=_present(brief.key_points.what_to_watch),
        sources=list(brief.sources),
        reading_minutes=max((s.reading_minutes for s in brief.sources), default=1),
        age=relative_time(newest, edition.language, now=edition.created_at),
        language_note=_language_note(brief, edition.language),
        topics=tuple(brief.topics),
        what_happened=_present(brief.key_points.what_happened),
        faq=tuple(f for f in brief.faq if f.question.strip() and f.answer.strip()),
        image=safe_image(brief.image),
        image_link=_image_link(brief),
        reason=reason_line(reason, brief, edition),
    )


def _image_link(brief: Brief) -> str | None:
    # the image is its article's: a click opens that article (else the first source)
    if brief.image and brief.image.link and brief.image.link.startswith(("https://", "http://")):
        return brief.image.link
    for source in brief.sources:
        if source.url.startswith(("https://", "http://")):
            return source.url
    return None


def _language_note(brief: Brief, reader: str) -> str | None:
    """The "quoted in the original language" note when the brief's text is not the reader's."""
    content = brief.content_language
    if not content or _base(content) == _base(reader):
        return None
    return label("original_language_note", reader)


def _base(language: str) -> str:
    return language.split("-")[0].lower()


def _present(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def clean_line(text: str) -> str:
    """One line: newlines and runs of spaces folded."""
    return " ".join(text.split())


def edition_date(edition: Edition) -> str:
    """The readers' local date of the edition as ISO ``YYYY-MM-DD`` (the same in every
    language): a Tokyo reader's 07:30 digest on 2 Dec is built at 22:30 UTC on 1 Dec."""
    return (edition.day or edition.slot.date()).isoformat()


def edition_title(edition: Edition) -> str:
    """ "AIToday · Today's AI essentials · 2026-11-27" in the edition's language."""
    return f"{BRAND} · {label('tagline', edition.language)} · {edition_date(edition)}"


def subject_line(edition: Edition, views: list[StoryView], limit: int = 120) -> str:
    """The date and the top headline in the reader's language: "AIToday 2026-11-27:
    <headline> (+4)", "AIToday 2026-11-27 今日のAI要点: <headline>（ほか4件）".

    A non-English reader's subject carries the tagline in their language, so it reads as
    theirs even when the top headline is quoted from an English source.
    """
    lang = edition.language
    prefix = f"{BRAND} {edition_date(edition)}"
    if edition.kind == "breaking":
        prefix = f"{BRAND} ⚡"
    if not views:
        return f"{prefix}: {label('tagline', lang)}"
    if lang != "en" and edition.kind != "breaking":  # an alert says "⚡", not "today's"
        prefix = f"{prefix} {label('tagline', lang)}"
    more = label("subject_more", lang, n=len(views) - 1) if len(views) > 1 else ""
    room = limit - len(prefix) - 2 - len(more)
    return f"{prefix}: {shorten(views[0].headline, room)}{more}"


def source_names(sources: list[BriefSource], limit: int = 3) -> str:
    """ "The Verge, TechCrunch +2"."""
    names = [s.name for s in sources[:limit]]
    extra = len(sources) - limit
    return ", ".join(names) + (f" +{extra}" if extra > 0 else "")
