"""Breaking-story threshold and quiet hours (pure rules of core.editions.breaking)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.editions.breaking import in_quiet_hours, is_breaking, quiet_end
from core.models import Story, StoryArticle
from core.preferences import apply_setting, new_subscriber

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def story(sources: list[str], spread_hours: float = 1.0) -> Story:
    step = timedelta(hours=spread_hours / max(len(sources) - 1, 1))
    articles = [
        StoryArticle(
            id=f"a{i}",
            source_id=s,
            url=f"https://{s}.example/x",
            title="t",
            published=T0 + i * step,
        )
        for i, s in enumerate(sources)
    ]
    return Story(
        id="s1", title="t", articles=articles, first_seen=T0, last_updated=articles[-1].published,
        source_count=len(set(sources)),
    )  # fmt: skip


STRONG = {"a": 0.9, "b": 0.8, "c": 0.7, "d": 0.65, "weak": 0.2}


def test_many_strong_sources_fast_is_breaking() -> None:
    assert is_breaking(story(["a", "b", "c", "d"]), STRONG, T0 + timedelta(hours=2))


def test_weak_or_slow_or_old_is_not() -> None:
    now = T0 + timedelta(hours=2)
    assert not is_breaking(story(["a", "b", "c", "weak"]), STRONG, now)
    assert not is_breaking(story(["a", "a", "b", "c"]), STRONG, now)
    assert not is_breaking(story(["a", "b", "c", "d"], spread_hours=30), STRONG, now)
    assert not is_breaking(story(["a", "b", "c", "d"]), STRONG, T0 + timedelta(hours=13))


def test_quiet_hours_across_midnight_in_local_time() -> None:
    sub = new_subscriber(email="a@example.com", timezone="Asia/Tokyo")
    assert not in_quiet_hours(sub, T0)
    sub = apply_setting(sub, "quiet", "22:00-07:00")
    late = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)  # 23:30 JST
    early = datetime(2026, 11, 27, 21, 59, tzinfo=UTC)  # 06:59 JST
    noon = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 12:00 JST
    assert in_quiet_hours(sub, late) and in_quiet_hours(sub, early)
    assert not in_quiet_hours(sub, noon)
    assert quiet_end(sub, late) == datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
    assert quiet_end(sub, early) == datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
