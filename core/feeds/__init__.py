"""Feeds: a reader's own digests and the day's top stories as Atom and JSON Feed.

``entries`` turns editions and briefs into :class:`~core.feeds.entries.Feed` values (pure),
``content`` writes each story's brief as an HTML fragment, ``atom`` and ``jsonfeed``
serialize a Feed (RFC 4287, JSON Feed 1.1), ``validators`` makes the ETag and
Last-Modified a conditional GET is answered from, and ``service`` reads what a feed needs
from the store. No web framework here: the routes are in bots/feeds.py.
"""
