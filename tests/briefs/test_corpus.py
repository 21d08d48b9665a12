"""The extractive writer on every item of 46 real AI-news feeds."""

from __future__ import annotations

from pathlib import Path

from core.briefs.extractive import extractive_brief
from core.briefs.guard import brief_problems
from core.briefs.text import sentences
from tests.briefs.corpus import corpus_stories


def test_every_real_story_gets_a_clean_honest_brief(corpus: Path) -> None:
    stories = corpus_stories(corpus)
    assert len(stories) > 500
    multi = 0
    with_takeaway = 0
    for story, inputs in stories:
        brief = extractive_brief(story, inputs, "en")
        assert brief_problems(brief, [a.url for a in story.articles]) == [], story.title
        assert brief.headline
        sources = " ".join(f"{i.title} {i.summary} {i.text}" for i in inputs)
        for part in (brief.dek, brief.key_takeaway, brief.key_points.what_happened):
            for sentence in sentences(part.removesuffix("…")):
                assert sentence in sources, sentence
        multi += len(brief.sources) > 1
        with_takeaway += bool(brief.key_takeaway)
    assert multi > 10  # the same announcement in two generators' feeds
    assert with_takeaway > len(stories) * 0.5
