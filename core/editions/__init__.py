"""Editions: who is due, what they get, grouped into variants, handed to delivery.

::

    schedule.py   slots in local time -> UTC minutes (DST-safe); next and last slot
    variants.py   memoized personalization; identical (items, language, channel) -> one variant
    tick.py       build_editions(store, at): due -> claim the day -> editions -> batches
    breaking.py   breaking-story threshold, quiet hours, per-day cap (built by the same tick)
    preview.py    one subscriber's edition now, built like the tick's, nothing saved

Storage lives in core.store.subscribers (records, due index, address lookups, sent
history) and core.store.editions (edition records, read back with briefs to render).
"""
