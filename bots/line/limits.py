"""LINE's limits and retry policy: the numbers the renderer, the adapter and the jobs read.

The platform's are the Messaging API's published limits; the sending numbers are ours.
A chunk is one multicast (up to 500 user ids) and every request carries an
``X-Line-Retry-Key`` (bots.line.adapter), so a repeat at any level below never sends twice.
"""

from __future__ import annotations

from bots.base import ChannelLimits, RetryPolicy
from core.models import ChannelStatus

LIMITS = ChannelLimits(
    max_chars=5000,  # UTF-16 units per text message
    max_items=12,  # bubbles per carousel
    max_recipients_per_call=500,  # user ids per multicast
    max_messages_per_call=5,
    max_payload_bytes=50 * 1024,  # one Flex message's contents
    send_chunk=500,
    in_flight=1,
    gone_status=ChannelStatus.BLOCKED,
    retry=RetryPolicy(
        request_retries=3,  # on 429 "rate limit", 5xx, a lost link; same retry key
        request_backoff=(1.0, 2.0, 4.0),  # or Retry-After when longer
        resend_backoff=(30.0, 120.0, 600.0, 1800.0),
        job_retry_intervals=(10, 60, 300),
    ),
)

MAX_ALT_TEXT = 400  # LINE allows 1,500; notifications show far less
MAX_QUICK_REPLIES = 13
MAX_ACTION_LABEL = 20
MAX_URI = 1000  # LINE's limit on an action's and an image's URL
