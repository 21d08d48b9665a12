"""Asynchronous bounces and complaints: reports a relay sends after it accepted a message.

The relays tell by webhook or by mail to a bounce mailbox; each report becomes a
:class:`~core.bounces.events.BounceEvent` and one code path applies it
(:mod:`core.bounces.apply`). No web framework here: ``bots/email/bounces.py`` holds the
routes, ``workers/bounces.py`` the IMAP poll.

    events.py    BounceEvent (bounced | complained | transient) and how a status is read
    dsn.py       RFC 3464 delivery status notifications and RFC 5965 (ARF) complaints
    sns.py       Amazon SES through SNS: message signatures, the signing certificate
    mailgun.py   Mailgun webhooks: HMAC-SHA256 of timestamp and token
    sendgrid.py  SendGrid Event Webhook: ECDSA P-256 over timestamp and body
    postmark.py  Postmark webhooks (Postmark does not sign: basic auth at the edge)
    apply.py     mark the address bounced or complained, once per event, and count it
"""
