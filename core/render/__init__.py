"""What every channel's renderer shares: story views, links, labels, dates (no channel here).

Each channel's own renderer lives in its package: ``bots.email.render``,
``bots.slack.render``, ``bots.line.render``; per-recipient parts (unsubscribe and
preference links) are placeholders from :mod:`core.render.common` that the e-mail
adapter fills at send time.
"""
