"""One subscriber's edition as it would be built now, for ``aitoday preview`` and
``aitoday send-test``: the same pool, personalization and briefs as the digest tick, but
nothing is claimed, saved or marked sent, so the real digest goes out as if no preview
had been made.
"""

from __future__ import annotations

from datetime import datetime

from core.briefs.service import ensure_briefs
from core.editions.tick import story_pool
from core.editions.variants import Personalizer, edition_kind, item_limit
from core.feedback import tick_weights
from core.models import ChannelSub, Edition, EditionItem, Subscriber, local_day
from core.store.base import Store
from core.store.briefs import BriefRepo
from core.store.subscribers import SubscriberRepo
from core.stories.personalize import pick

__all__ = ["preview_edition"]


def preview_edition(
    store: Store, sub: Subscriber, channel: ChannelSub, now: datetime, *, edition_id: str
) -> Edition:
    """What ``sub`` would get on ``channel`` at ``now``, loaded for rendering (not saved).

    Their language, topics, mutes, more / less taps and zone decide it as in the tick;
    stories already sent to them are left out. An edition without items means nothing
    would be sent now.
    """
    kind = edition_kind(sub, channel)
    pool = story_pool(store, kind)
    translated = store.settings.llm.model is not None
    learned = tick_weights(store, [sub.id], now)
    personalizer = Personalizer(pick, {kind: pool}, translated=translated, now=now, learned=learned)
    sent = SubscriberRepo(store).sent_story_ids(sub.id)
    limit = item_limit(sub, channel)
    ids = personalizer.stories(sub.prefs, sent, kind, limit, sub.language, subscriber_id=sub.id)
    reasons = personalizer.reasons(sub.prefs, ids, kind)
    by_id = {story.id: story for story in pool}
    keys = ensure_briefs(store, [by_id[i] for i in ids], [sub.language]) if ids else {}
    items = [
        EditionItem(story_id=i, brief_key=keys[(i, sub.language)], reason=reason)
        for i, reason in zip(ids, reasons or (None,) * len(ids), strict=True)
    ]
    briefs = BriefRepo(store).get_many([item.brief_key for item in items])
    return Edition(
        id=edition_id,
        kind=kind,
        channel=channel.channel,
        language=sub.language,
        slot=now,
        created_at=now,
        day=local_day(sub, now),
        items=[item for item in items if item.brief_key in briefs],
        briefs=[briefs[item.brief_key] for item in items if item.brief_key in briefs],
    )
