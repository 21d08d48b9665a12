"""E-mail's limits and retry policy: the numbers the renderer, the adapter and the jobs read.

Sign-up abuse limits are another thing: :mod:`bots.email.signup_limits`.
"""

from __future__ import annotations

from bots.base import ChannelLimits, RetryPolicy
from core.models import ChannelStatus

LIMITS = ChannelLimits(
    max_chars=100_000,  # Gmail clips HTML parts above ~102 KB
    max_items=20,
    max_recipients_per_call=1,
    max_messages_per_call=1,
    max_payload_bytes=100_000,  # the HTML part
    send_chunk=25,  # one SMTP connection per chunk
    in_flight=4,  # several connections at once hide the four round trips each message costs
    gone_status=ChannelStatus.BOUNCED,
    retry=RetryPolicy(
        request_retries=1,  # a message that met a 421 goes once more on a new connection
        resend_backoff=(30.0, 120.0, 600.0, 1800.0),
        job_retry_intervals=(10, 60, 300),
    ),
)
