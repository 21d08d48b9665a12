"""The offline writer: deterministic, quoting only the sources, honest about gaps."""

from __future__ import annotations

from core.briefs.cache import extractive_key
from core.briefs.extractive import extractive_brief
from core.briefs.inputs import load_inputs
from core.briefs.service import brief_for, ensure_briefs
from core.briefs.text import plain
from core.metrics import snapshot
from core.store.base import Store
from core.store.briefs import BriefRepo
from tests.briefs.builders import LAB_ARTICLES, article, save, story_of


def test_every_sentence_is_quoted_from_a_source(store: Store) -> None:
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES, ["open models"])
    brief = extractive_brief(story, load_inputs(store, story), "en")

    sources_text = " ".join(plain(f"{a.title} {a.summary} {a.text}") for a in LAB_ARTICLES)
    points = brief.key_points
    parts = [brief.dek, brief.key_takeaway, points.what_happened]
    parts += [points.why_it_matters or "", points.what_to_watch or ""]
    for part in parts:
        assert part and part in sources_text  # one whole quoted sentence each
    assert len(set(parts)) == len(parts)  # none used twice
    assert brief.headline == "Lab releases a smaller open model"
    # The takeaway is the most central sentence; each key point is a sentence of its role.
    assert brief.key_takeaway == "The research lab released a compact open-weight model on Tuesday."
    assert points.what_happened == "The lab said the model runs on a single graphics card."
    assert points.why_it_matters == (
        "A compact open model from the lab rivals systems ten times its size."
    )
    assert points.what_to_watch == (
        "Independent researchers have not yet verified the benchmark results."
    )
    assert brief.faq == []  # no sentence answers a templated question unambiguously
    assert [s.name for s in brief.sources] == ["Labnews", "Aiweekly"]
    assert brief.topics == ["open models"]
    assert brief.generator.kind == "extractive" and brief.usage is None


def test_the_same_story_gives_the_same_extractive_brief(store: Store) -> None:
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES)
    first = extractive_brief(story, load_inputs(store, story), "en")
    second = extractive_brief(story, load_inputs(store, story), "en")
    assert first.model_dump(exclude={"created_at"}) == second.model_dump(exclude={"created_at"})


def test_non_english_reader_gets_labels_not_a_translation(store: Store) -> None:
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES)
    brief = extractive_brief(story, load_inputs(store, story), "th")
    assert brief.language == "th" and brief.content_language == "en"
    assert brief.headline == "Lab releases a smaller open model"


def test_one_sentence_story_and_expired_articles(store: Store) -> None:
    only = [
        article(1, "Chip maker ships an inference card", "The card ships in March to customers.")
    ]
    save(store, only)
    brief = extractive_brief(story_of(only), load_inputs(store, story_of(only)), "en")
    assert brief.dek == "" and brief.key_takeaway == "The card ships in March to customers."
    assert brief.key_points.what_happened == ""

    gone = [article(2, "A story whose articles expired", "Not stored.", source_id="gone")]
    story = story_of(gone)  # never saved: only the story's own record remains
    brief = extractive_brief(story, load_inputs(store, story), "en")
    assert brief.headline == "A story whose articles expired" and brief.key_takeaway == ""
    assert brief.sources[0].name == "gone"


async def test_without_a_model_briefs_are_extractive_and_cached(store: Store) -> None:
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES)

    key, brief = await brief_for(store, story, "日本語")
    again = await brief_for(store, story, "ja")

    assert key == extractive_key(story, "ja") and again == (key, brief)
    assert brief.language == "ja"
    assert BriefRepo(store).latest(story.id, "ja") == (key, brief)
    assert snapshot(store)["aitoday_briefs_total"] == {'generator="extractive"': 1.0}


def test_ensure_briefs_sync_entry_point(store: Store) -> None:
    save(store, LAB_ARTICLES)
    story = story_of(LAB_ARTICLES)
    keys = ensure_briefs(store, [story], ["en", "fr"])
    assert set(keys) == {(story.id, "en"), (story.id, "fr")}
    assert len(set(keys.values())) == 2
    assert BriefRepo(store).get(keys[(story.id, "fr")]) is not None


def test_short_story_fills_the_takeaway_first_and_skips_a_restated_headline(
    store: Store,
) -> None:
    two = [
        article(
            1,
            "Chip maker ships an inference card",
            "Chip maker ships an inference card. The card ships in March to customers. "
            "It doubles throughput on large language models.",
        )
    ]
    save(store, two)
    brief = extractive_brief(story_of(two), load_inputs(store, story_of(two)), "en")
    assert brief.dek == ""
    # Two sentences: the takeaway, and the one part a sentence has the role of (a date to
    # watch); no event sentence is left, so "what happened" stays empty.
    assert brief.key_takeaway == "It doubles throughput on large language models."
    assert brief.key_points.what_to_watch == "The card ships in March to customers."
    assert brief.key_points.what_happened == "" and brief.key_points.why_it_matters is None
