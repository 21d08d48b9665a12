"""AIToday's domain: ingestion, stories, briefs, editions and rendering.

Nothing in ``core`` imports a web framework or a chat SDK; ``bots`` and ``workers`` import
``core``, never the other way round.
"""
