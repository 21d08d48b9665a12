"""One source with many stories of its own does not fill the top of the ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from core.models import Source, Story, StoryArticle
from core.store.base import Store
from core.store.sources import SourceRepo
from core.store.stories import StoryRepo
from core.stories.rank import CROWD_DECAY, CROWD_FREE, score, spread_sources
from core.stories.service import update_stories
from tests.stories.test_cli import env
from tests.stories.test_service import article
from workers.cli import cli

NOW = datetime(2026, 8, 3, 12, tzinfo=UTC)
AUTHORITY = {"flood": 0.9}  # every other source: the default, 0.5
OTHERS = [
    ("wire", "Nvidia unveils Blackwell Ultra GPUs for AI data centers"),
    ("blog", "EU Commission publishes AI Act code of practice for model makers"),
    ("press", "Mistral releases open-weight language model under Apache 2.0"),
    ("daily", "Anthropic raises new funding round to train larger AI models"),
    ("times", "Google DeepMind shows AI system that solves olympiad geometry"),
    ("post", "Meta open-sources a speech recognition model for 1,000 languages"),
    ("news", "OpenAI cuts API prices for its reasoning models"),
    ("ledger", "Apple adds an on-device AI model to its developer tools"),
]


def story(i: int, title: str, sources: tuple[str, ...]) -> Story:
    articles = [
        StoryArticle(id=f"a{i}{s}", source_id=s, url=f"https://{s}.example/{i}", title=title,
                     published=NOW - timedelta(hours=1))
        for s in sources
    ]  # fmt: skip
    bare = Story(
        id=f"s{i}",
        title=title,
        articles=articles,
        first_seen=articles[0].published,
        last_updated=articles[0].published,
        source_count=len(sources),
    )
    parts = score(bare, now=NOW, authority=AUTHORITY)
    return bare.model_copy(update={"score": parts.total, "score_parts": parts})


def flood_title(i: int) -> str:
    return f"Flood lab note {i}: an AI model update"


def test_a_sources_fourth_story_of_its_own_weighs_less_and_each_later_one_less_again() -> None:
    flood = [story(i, flood_title(i), ("flood",)) for i in range(30)]
    others = [story(100 + i, title, (src,)) for i, (src, title) in enumerate(OTHERS)]
    shared = story(200, "Flood lab and Wire both report an AI model update", ("flood", "wire"))
    before = [s.id for s in sorted([*flood, *others, shared], key=lambda s: -s.score)[:10]]
    assert sum(i.startswith("s") and int(i[1:]) < 30 for i in before) >= 8  # the flood wins

    spread = spread_sources([*flood, *others, shared])
    crowding = sorted((s.score_parts.crowding for s in spread[:30]), reverse=True)
    assert crowding[:CROWD_FREE] == [1.0] * CROWD_FREE
    assert crowding[CROWD_FREE] == CROWD_DECAY
    assert crowding[CROWD_FREE + 1] == round(CROWD_DECAY**2, 4)
    assert all(s.score_parts.crowding == 1.0 for s in spread[30:])  # others, and shared
    top = sorted(spread, key=lambda s: -s.score)[:10]
    from_flood = [s for s in top if s.articles[0].source_id == "flood" and s.source_count == 1]
    assert len(from_flood) <= CROWD_FREE + 1
    assert {s.title for s in top} >= {title for _, title in OTHERS[:5]}
    assert top[0].score_parts.crowding == 1.0  # the best story still leads on its merit
    assert all(s.score == s.score_parts.total for s in spread)


def test_the_stored_ranking_and_explain_show_the_crowding(store: Store) -> None:
    SourceRepo(store).put_many(
        Source(id=sid, url=f"https://{sid}.example/feed", title=sid.title(), authority=weight)
        for sid, weight in AUTHORITY.items()
    )
    flood = [article(f"f{i}", flood_title(i), "flood", hours_ago=0.5) for i in range(40)]
    others = [article(f"o{i}", t, src, hours_ago=1.0) for i, (src, t) in enumerate(OTHERS)]
    update_stories(store, [*flood, *others])
    top = StoryRepo(store).recent(24, limit=10)
    assert len(top) == 10
    assert sum(s.articles[0].source_id == "flood" for s in top) <= CROWD_FREE + 1
    result = CliRunner().invoke(
        cli, ["stories", "--explain", "--limit", "10"], env=env(store.settings)
    )
    assert result.exit_code == 0, result.output
    assert f"crowding {CROWD_DECAY:.2f}" in result.output or "crowding 1.00" in result.output
    assert "= recency x crowding x (0.40 authority" in result.output
