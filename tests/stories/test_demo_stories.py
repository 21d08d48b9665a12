"""The demo's feeds become one story per event: every telling of the Aurora-3 launch, in
English, Japanese and Chinese, is one story, and Aurora AI's other news is not in it;
"$2.1B" and "$2.1 billion" are one funding round."""

from __future__ import annotations

from core.ingest.pipeline import run_ingest
from core.ingest.sources import load_opml
from core.models import Story
from core.store.base import Store
from core.store.stories import StoryRepo
from core.stories.service import update_stories
from workers.demo.feedserver import DemoFeedServer

LAUNCH = (
    "Introducing Aurora-3",
    "Aurora AI launches Aurora-3",
    "Aurora-3 is here",
    "Aurora AI unveils Aurora-3",
    "Aurora-3 released",
    "Aurora-3 raises the bar",
    "Aurora AI、マルチモーダルモデル「Aurora-3」を発表",
    "Aurora AI 发布 Aurora-3",
)
POWER = ("Aurora AI signs 1.2 GW", "Aurora AI turns to nuclear", "Aurora AI signs 20-year")
FUNDING = ("Meridian Labs raises $2.1 billion", "Meridian Labs lands $2.1B", "AI 智能体")


def _story_of(stories: list[Story], title: str) -> str:
    (found,) = [s.id for s in stories for a in s.articles if a.title.startswith(title)]
    return found


async def test_each_demo_event_is_one_story(store: Store) -> None:
    with DemoFeedServer() as server:
        report = await run_ingest(store, load_opml(server.opml()))
    update_stories(store, report.articles)
    stories = StoryRepo(store).recent(24 * 30)
    launch = {_story_of(stories, title) for title in LAUNCH}
    power = {_story_of(stories, title) for title in POWER}
    funding = {_story_of(stories, title) for title in FUNDING}
    assert len(launch) == 1 and len(power) == 1 and len(funding) == 1
    assert launch != power
    assert len(stories) <= 102  # 142 articles; 124 stories when every site was one host
