"""An edition carries its readers' local date: a Tokyo reader's 07:30 digest, built at
22:30 UTC the day before, is dated as their calendar says, in the subject and the header.
Readers due at the same UTC minute in zones on different dates get separate editions."""

from __future__ import annotations

from datetime import date

import pytest

from bots.email.render import render_email
from core.editions.tick import build_editions
from core.store.base import Store
from core.store.editions import EditionRepo
from tests.editions.test_tick import SLOT, add, stories  # noqa: F401  (fixture)

BASE = "https://aitoday.example.org"


@pytest.mark.usefixtures("stories")
def test_each_reader_gets_their_local_date(store: Store) -> None:
    tokyo = add(store, email="tokyo@example.com")  # 07:30 Asia/Tokyo = SLOT
    london = add(store, email="utc@example.com", timezone="UTC", delivery_time="22:30")

    result = build_editions(store, SLOT)

    days = {e.day for e in result.editions}
    assert days == {date(2026, 11, 28), date(2026, 11, 27)}
    by_member = {r.subscriber_id: b.edition_id for b in result.batches for r in b.recipients}
    for sub, expected in ((tokyo, "2026-11-28"), (london, "2026-11-27")):
        edition = EditionRepo(store).load_for_render(by_member[sub.id])
        payload = render_email(edition, base_url=BASE)
        assert payload.subject.startswith(f"AIToday {expected}:")
        assert f"Today's AI essentials · {expected}" in payload.text
