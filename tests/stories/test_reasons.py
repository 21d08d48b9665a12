"""Why this story: the one reason chosen for a story and a reader, and its wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.i18n import LABELS, LANGUAGES
from core.models import Prefs, Story, StoryArticle, StoryReason
from core.stories.reasons import describe, reason_for, story_reason
from core.stories.topics import TOPICS, tag_topics, topic_name

NOW = datetime(2026, 12, 3, 7, 30, tzinfo=UTC)
NVIDIA = "Nvidia unveils Blackwell Ultra GPUs for data centers"


def story(title: str, published: list[tuple[str, float]]) -> Story:
    """A story told by each (source, hours before NOW) of ``published``."""
    articles = [
        StoryArticle(
            id=f"{source}-{n}",
            source_id=source,
            url=f"https://{source}.example/{n}",
            title=title,
            published=NOW - timedelta(hours=hours),
        )
        for n, (source, hours) in enumerate(published)
    ]
    first = min(a.published for a in articles)
    return Story(
        id="s1",
        title=title,
        articles=articles,
        first_seen=first,
        last_updated=max(a.published for a in articles),
        source_count=len({a.source_id for a in articles}),
        topics=tag_topics(title),
        score=0.8,
    )


OLD_SEVEN = story(NVIDIA, [(f"src{i}", 20 + i) for i in range(7)])
FRESH_FOUR = story(NVIDIA, [("verge", 2.5), ("reuters", 1.0), ("wired", 0.5), ("ft", 0.2)])
ALONE = story("Mistral releases an open-weight model under Apache 2.0", [("mistral", 10)])


def test_a_keyword_the_reader_asked_for_beats_every_other_reason() -> None:
    prefs = Prefs(include_keywords=["blackwell", "Nvidia"], topics_followed=["chips"])
    got = reason_for(FRESH_FOUR, prefs, now=NOW)
    assert got == StoryReason(kind="keyword", values={"keyword": "blackwell"})
    assert describe(got, "en") == "Your keyword “blackwell”"


def test_a_keyword_matches_whole_words_only() -> None:
    prefs = Prefs(include_keywords=["GPU"], topics_followed=["chips"])
    assert reason_for(OLD_SEVEN, prefs, now=NOW).kind == "topic"  # "GPUs" is not "GPU"


def test_a_followed_topic_names_that_topic_however_the_reader_typed_it() -> None:
    assert "chips" in OLD_SEVEN.topics
    got = reason_for(OLD_SEVEN, Prefs(topics_followed=["Chips & compute"]), now=NOW)
    assert got == StoryReason(kind="topic", values={"topic": "chips"})
    assert describe(got, "en") == "Matches your topic: Chips & compute"
    assert describe(got, "ja") == "フォロー中のトピック: 半導体と計算資源"


def test_a_topic_the_story_lacks_gives_no_personal_reason() -> None:
    got = reason_for(OLD_SEVEN, Prefs(topics_followed=["robotics"]), now=NOW)
    assert got.kind == "sources"


def test_sources_publishing_within_the_velocity_window_make_it_rising() -> None:
    got = reason_for(FRESH_FOUR, Prefs(), now=NOW)
    assert got == StoryReason(kind="rising", values={"n": 4, "hours": 3})
    assert describe(got, "en") == "Rising: 4 new sources in 3 h"
    assert describe(got, "de") == "Im Kommen: 4 neue Quellen in 3 Std."


def test_a_story_many_sources_told_a_day_ago_is_not_rising_but_widely_told() -> None:
    got = story_reason(OLD_SEVEN, now=NOW)
    assert got == StoryReason(kind="sources", values={"n": 7})
    names = ["The Verge", "Reuters", "Wired"]
    assert describe(got, "en", names=names) == "Told by 7 sources, incl. The Verge, Reuters"
    assert describe(got, "en") == "Told by 7 sources"


def test_two_sources_an_hour_apart_are_not_yet_rising() -> None:
    got = story_reason(story(NVIDIA, [("verge", 1), ("verge", 0.5), ("ft", 0.2)]), now=NOW)
    assert got == StoryReason(kind="sources", values={"n": 2})


def test_articles_published_after_now_do_not_count() -> None:
    late = story(NVIDIA, [("a", 1), ("b", 1), ("c", -1)])
    assert story_reason(late, now=NOW).kind == "sources"


def test_a_lone_source_story_is_there_on_its_score() -> None:
    got = reason_for(ALONE, Prefs(topics_followed=["chips"]), now=NOW)
    assert got == StoryReason(kind="top")
    assert describe(got, "en") == "One of today’s top stories"
    assert describe(got, "en", weekly=True) == "One of the week’s top stories"


def test_no_reason_is_no_line() -> None:
    assert describe(None, "en") is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reason_reads_in_every_language(lang: str) -> None:
    reasons = [
        StoryReason(kind="keyword", values={"keyword": "Nvidia"}),
        StoryReason(kind="topic", values={"topic": "open-source"}),
        StoryReason(kind="rising", values={"n": 4, "hours": 3}),
        StoryReason(kind="sources", values={"n": 7}),
        StoryReason(kind="top"),
    ]
    lines = [describe(r, lang, names=["Reuters", "FT"]) or "" for r in reasons]
    assert "Nvidia" in lines[0] and "4" in lines[2] and "3" in lines[2]
    assert "7" in lines[3] and "Reuters, FT" in lines[3]
    assert all(0 < len(line) <= 80 for line in lines)
    if lang != "en":
        english = [describe(r, "en", names=["Reuters", "FT"]) for r in reasons]
        assert all(a != b for a, b in zip(lines, english, strict=True))


def test_a_topic_is_named_as_the_preferences_page_names_it() -> None:
    for slug, topic in TOPICS.items():
        assert topic_name(slug, "en") == topic.label
        assert topic_name(slug, "ja") == LABELS[f"topic_{slug}"]["ja"]
    assert topic_name("unheard-of", "fr") == "unheard-of"
