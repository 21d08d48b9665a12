"""Validation at the edge and settings changes (core.preferences)."""

from __future__ import annotations

import pytest

from core.errors import ValidationError
from core.models import ChannelStatus, Frequency
from core.preferences import apply_setting, new_subscriber, parse_setting


def make(**kwargs: object):  # type: ignore[no-untyped-def]
    base: dict[str, object] = {"email": "Ann@Example.COM", "timezone": "Asia/Tokyo"}
    base.update(kwargs)
    return new_subscriber(**base)  # type: ignore[arg-type]


def test_new_subscriber_normalizes_and_starts_active() -> None:
    sub = make(delivery_time="7:05", language="JA", line="U" + "a" * 32, slack="T123/C456")
    assert sub.timezone == "Asia/Tokyo"
    assert sub.delivery_time == "07:05"
    assert sub.language == "ja"
    assert [c.channel for c in sub.channels] == ["email", "line", "slack"]
    assert sub.channels[0].address == "Ann@example.com"
    assert all(c.status is ChannelStatus.ACTIVE for c in sub.channels)


def test_pending_channels_are_unverified() -> None:
    sub = make(pending=True)
    assert sub.channels[0].status is ChannelStatus.PENDING
    assert not sub.channels[0].verified


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"delivery_time": "25:99"}, "time"),
        ({"delivery_time": "7"}, "time"),
        ({"language": "klingon"}, "language"),
        ({"slack": "team-channel"}, "slack"),
        ({"line": "not a line id"}, "line"),
        ({"email": None}, "channel"),
    ],
)
def test_bad_input_is_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        make(**kwargs)
    assert info.value.field == field
    assert field in str(info.value)


def test_timezone_is_case_insensitive() -> None:
    assert make(timezone="america/new_york").timezone == "America/New_York"


def test_apply_setting_returns_a_changed_copy() -> None:
    sub = make()
    changed = apply_setting(sub, "time", "06:45")
    assert changed.delivery_time == "06:45"
    assert sub.delivery_time != "06:45"
    changed = apply_setting(changed, "tz", "Europe/Paris")
    changed = apply_setting(changed, "lang", "fr")
    changed = apply_setting(changed, "frequency", "weekly:fri")
    assert (changed.timezone, changed.language) == ("Europe/Paris", "fr")
    assert changed.frequency is Frequency.WEEKLY
    assert changed.weekly_day == 4


def test_channel_overrides_and_inherit() -> None:
    sub = make(slack="T1/C1")
    sub = apply_setting(sub, "slack.items", "10")
    sub = apply_setting(sub, "slack.frequency", "weekdays")
    slack = sub.channels[1]
    assert (slack.max_items, slack.frequency) == (10, Frequency.WEEKDAYS)
    sub = apply_setting(sub, "slack.items", "inherit")
    assert sub.channels[1].max_items is None
    with pytest.raises(ValidationError) as info:
        apply_setting(sub, "line.items", "3")
    assert info.value.field == "channel"
    with pytest.raises(ValidationError) as info:
        apply_setting(sub, "email.items", "50")
    assert info.value.field == "email.items"


def test_mute_sorts_sources_words_and_topics() -> None:
    sub = make()
    sub = apply_setting(sub, "mute", "techcrunch", sources={"techcrunch"})
    sub = apply_setting(sub, "mute", "word:crypto")
    sub = apply_setting(sub, "mute", "quantum widgets")
    assert sub.prefs.sources_muted == ["techcrunch"]
    assert sub.prefs.exclude_keywords == ["crypto", "quantum widgets"]
    sub = apply_setting(sub, "unmute", "crypto")
    assert sub.prefs.exclude_keywords == ["quantum widgets"]


def test_quiet_hours_breaking_and_keywords() -> None:
    sub = make()
    sub = apply_setting(sub, "quiet", "22:00-7:00")
    sub = apply_setting(sub, "breaking", "on")
    sub = apply_setting(sub, "include", "GPU, chips, gpu")
    assert (sub.quiet_start, sub.quiet_end, sub.breaking_alerts) == ("22:00", "07:00", True)
    assert sub.prefs.include_keywords == ["GPU", "chips"]


def test_unknown_setting_and_bad_syntax() -> None:
    with pytest.raises(ValidationError) as info:
        apply_setting(make(), "colour", "blue")
    assert info.value.field == "setting"
    with pytest.raises(ValidationError):
        parse_setting("time 07:30")
    assert parse_setting("Time = 07:30") == ("time", "07:30")


def test_setting_an_address_adds_a_channel() -> None:
    sub = apply_setting(make(), "line", "U" + "b" * 32)
    assert [c.channel for c in sub.channels] == ["email", "line"]


def test_topics_resolve_and_unknown_topics_are_refused() -> None:
    sub = make(topics=["Chips & compute", "policy"])
    assert sub.prefs.topics_followed == ["chips", "policy"]
    sub = apply_setting(sub, "mute", "chips")
    assert sub.prefs.topics_muted == ["chips"] and sub.prefs.topics_followed == ["policy"]
    with pytest.raises(ValidationError) as info:
        apply_setting(sub, "follow", "quantum widgets")
    assert info.value.field == "topic"
    assert "chips" in info.value.message


@pytest.mark.parametrize("line", ["Uabc", "U" + "A" * 32, "X" + "a" * 32, "U" + "a" * 33])
def test_line_ids_the_adapter_would_refuse_are_refused_at_the_edge(line: str) -> None:
    with pytest.raises(ValidationError) as info:
        make(line=line)
    assert info.value.field == "line"
