"""Story search for the chat ``search`` command: every word given, in a recent story."""

from __future__ import annotations

from core.models import Story
from core.store.stories import StoryRepo
from core.stories.personalize import normal_words


def search(stories: StoryRepo, words: str, days: int = 30, limit: int = 10) -> list[Story]:
    """Stories of the last ``days`` whose titles or topics hold every word given
    (plain words, case-insensitive, word prefixes match: "chip" finds "chips");
    best score first."""
    wanted = normal_words(words).split()
    if not wanted:
        return []
    found: list[Story] = []
    for story in stories.iter_since(days * 24.0):
        text = normal_words(
            " ".join([story.title, *story.topics, *(a.title for a in story.articles)])
        )
        if all(" " + w in text for w in wanted):
            found.append(story)
    found.sort(key=lambda s: (-s.score, -s.last_updated.timestamp()))
    return found[:limit]
