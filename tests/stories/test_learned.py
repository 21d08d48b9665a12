"""Learned weights in ``pick``: bounded, composed with followed topics, and inert when empty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.models import FeedbackEvent, Prefs, Story, StoryArticle
from core.stories.learned import Learned, Weights, learn, multiplier
from core.stories.personalize import pick

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def story(n: int, topic: str, score: float) -> Story:
    article = StoryArticle(
        id=f"a{n}", source_id=f"s{n}", url=f"https://s{n}.example/{n}",
        title=f"Item {n} of {topic}", published=NOW - timedelta(hours=1),
    )  # fmt: skip
    return Story(
        id=f"st{n}", title=article.title, articles=[article], first_seen=article.published,
        last_updated=article.published, topics=[topic], score=score,
    )  # fmt: skip


def tap(topic: str, direction: str, days_ago: float = 0) -> FeedbackEvent:
    return FeedbackEvent.model_validate(
        {"id": f"{topic}{direction}{days_ago}", "story_id": "x", "direction": direction,
         "at": NOW - timedelta(days=days_ago), "channel": "web", "topics": [topic]}
    )  # fmt: skip


def weights(*events: FeedbackEvent, effect: float = 0.5) -> Weights:
    learned = learn(events, NOW, half_life_days=30)
    return Weights(learned.strengths, effect, learned.to_json())


POOL = [story(0, "chips", 0.90), story(1, "policy", 0.80), story(2, "chips", 0.70),
        story(3, "research", 0.60), story(4, "policy", 0.50)]  # fmt: skip


def ids(picked: list[Story]) -> list[str]:
    return [s.id for s in picked]


def test_no_taps_change_nothing() -> None:
    untouched = ids(pick(POOL, Prefs(), limit=5, per_topic_cap=5))
    empty = Weights({}, 0.5, "")
    assert ids(pick(POOL, Prefs(), limit=5, per_topic_cap=5, learned=empty)) == untouched


def test_less_sinks_a_topic_within_the_bound_and_more_lifts_one() -> None:
    less = weights(*(tap("chips", "less", d) for d in (0, 1, 2)))
    picked = ids(pick(POOL, Prefs(), limit=5, per_topic_cap=5, learned=less))
    assert picked.index("st0") > picked.index("st1")  # 0.90 x ~0.62 < 0.80
    assert picked[-1] == "st2"  # sunk, not gone: no number of taps is a filter
    many = weights(*(tap("chips", "less", d / 10) for d in range(200)), effect=0.5)
    assert min(many.strengths.values()) < -100
    assert multiplier(min(many.strengths.values()), 0.5) >= 0.5
    more = weights(tap("research", "more"), tap("research", "more", 1))
    assert ids(pick(POOL, Prefs(), limit=2, per_topic_cap=5, learned=more))[0] == "st0"
    assert "st3" in ids(pick(POOL, Prefs(), limit=3, per_topic_cap=5, learned=more))


def test_learned_weights_compose_with_followed_topics() -> None:
    followed = Prefs(topics_followed=["policy"])
    less_policy = weights(*(tap("policy", "less", d) for d in (0, 1, 2, 3, 4, 5)))
    alone = ids(pick(POOL, followed, limit=5, per_topic_cap=5))
    both = ids(pick(POOL, followed, limit=5, per_topic_cap=5, learned=less_policy))
    assert alone[0] == "st1"  # 0.80 x 1.5 first
    assert both.index("st1") > alone.index("st1")  # the taps pull it back down


def test_stored_strengths_decay_like_relearning() -> None:
    events = [tap("chips", "less", 10), tap("policy", "more", 40)]
    stored = Learned.from_json(learn(events, NOW, 30).to_json())
    later = NOW + timedelta(days=20)
    relearned = learn(events, later, 30).strengths
    decayed = stored.at_time(later.timestamp(), 30)
    assert set(decayed) == set(relearned)
    for key, value in relearned.items():
        assert abs(decayed[key] - value) < 1e-3


def test_weights_read_with_their_decay_rank_as_if_relearned_then() -> None:
    # the tick keeps the stored strengths and scales them (Weights.decay), not a dict each
    events = [*(tap("chips", "less", d) for d in (0, 1, 2)), tap("robotics", "more")]
    stored = Learned.from_json(learn(events, NOW, 30).to_json())
    later = NOW + timedelta(days=30)
    scaled = Weights(stored.strengths, 0.5, "scaled", stored.decay_to(later.timestamp(), 30))
    relearned = learn(events, later, 30).strengths
    assert scaled.strengths == pytest.approx(relearned, abs=1e-3)
    again = Weights(relearned, 0.5, "relearned")
    picked = ids(pick(POOL, Prefs(), limit=5, per_topic_cap=5, learned=scaled))
    assert picked == ids(pick(POOL, Prefs(), limit=5, per_topic_cap=5, learned=again))
    assert picked.index("st0") > picked.index("st1")  # still less, half as strong


def test_weights_decayed_to_nothing_are_inert() -> None:
    stored = learn([tap("chips", "less")], NOW, 30)
    faded = Weights(stored.strengths, 0.5, "faded", decay=0.001)
    assert not faded.active and faded.strengths == {}
    untouched = ids(pick(POOL, Prefs(), limit=5, per_topic_cap=5))
    assert ids(pick(POOL, Prefs(), limit=5, per_topic_cap=5, learned=faded)) == untouched
