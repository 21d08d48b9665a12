"""Slots in local time: DST and frequencies (core.models), catch-up (core.editions.schedule)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.editions.schedule import last_slot
from core.models import ChannelStatus, Subscriber, next_slot, slot_on
from core.preferences import apply_setting, new_subscriber


def ny(time: str = "07:30", frequency: str = "daily") -> Subscriber:
    return new_subscriber(
        email="a@example.com", timezone="America/New_York", delivery_time=time, frequency=frequency
    )


def test_same_local_time_on_both_sides_of_dst() -> None:
    sub = ny()
    # 2026-03-08: US clocks spring forward; 2026-11-01: they fall back.
    assert slot_on(sub, date(2026, 3, 7)) == datetime(2026, 3, 7, 12, 30, tzinfo=UTC)
    assert slot_on(sub, date(2026, 3, 9)) == datetime(2026, 3, 9, 11, 30, tzinfo=UTC)
    assert slot_on(sub, date(2026, 10, 31)) == datetime(2026, 10, 31, 11, 30, tzinfo=UTC)
    assert slot_on(sub, date(2026, 11, 2)) == datetime(2026, 11, 2, 12, 30, tzinfo=UTC)


def test_next_slot_walks_across_the_change_once_a_day() -> None:
    sub = ny()
    at = datetime(2026, 3, 6, 13, 0, tzinfo=UTC)
    slots = []
    for _ in range(4):
        nxt = next_slot(sub, at)
        assert nxt is not None
        slots.append(nxt)
        at = nxt
    assert [s.astimezone(sub_zone()).strftime("%m-%d %H:%M") for s in slots] == [
        "03-07 07:30",
        "03-08 07:30",
        "03-09 07:30",
        "03-10 07:30",
    ]


def sub_zone() -> ZoneInfo:
    return ZoneInfo("America/New_York")


def test_nonexistent_and_repeated_local_times() -> None:
    gap = ny("02:30")
    # 02:30 does not exist on 2026-03-08: delivered at the pre-change offset (03:30 EDT).
    assert slot_on(gap, date(2026, 3, 8)) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    twice = ny("01:30")
    # 01:30 happens twice on 2026-11-01: the first one (EDT).
    assert slot_on(twice, date(2026, 11, 1)) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_weekdays_weekly_and_paused() -> None:
    friday = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # a Friday, after 07:30 NY
    weekdays = ny(frequency="weekdays")
    assert next_slot(weekdays, friday) == datetime(2026, 11, 30, 12, 30, tzinfo=UTC)
    weekly = ny(frequency="weekly:wed")
    assert next_slot(weekly, friday) == datetime(2026, 12, 2, 12, 30, tzinfo=UTC)
    assert next_slot(ny(frequency="paused"), friday) is None


def test_channel_override_makes_a_day_due() -> None:
    sub = new_subscriber(email="a@example.com", slack="T1/C1", frequency="weekly:mon")
    sub = apply_setting(sub, "slack.frequency", "daily")
    saturday = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    assert next_slot(sub, saturday) == datetime(2026, 11, 28, 7, 30, tzinfo=UTC)
    sub.channels[1].status = ChannelStatus.UNSUBSCRIBED
    assert next_slot(sub, saturday) == datetime(2026, 11, 30, 7, 30, tzinfo=UTC)


def test_last_slot_respects_the_catch_up_window() -> None:
    sub = new_subscriber(email="a@example.com", timezone="Asia/Tokyo", delivery_time="07:30")
    slot = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)  # 07:30 JST on the 28th
    window = timedelta(minutes=180)
    assert last_slot(sub, slot, window) == (date(2026, 11, 28), slot)
    assert last_slot(sub, slot + timedelta(minutes=179), window) == (date(2026, 11, 28), slot)
    assert last_slot(sub, slot + timedelta(minutes=181), window) is None
    assert last_slot(sub, slot - timedelta(minutes=1), window) is None
