"""Slack's limits and retry policy: the numbers the renderer, the adapter and the jobs read.

The platform's Block Kit limits are Slack's published ones; the sending numbers are ours.
"""

from __future__ import annotations

from bots.base import ChannelLimits, RetryPolicy
from core.models import ChannelStatus

LIMITS = ChannelLimits(
    max_chars=3000,  # per section text
    max_items=20,
    max_recipients_per_call=1,
    max_messages_per_call=1,
    messages_per_second_per_target=1.0,
    max_blocks_per_message=50,
    # a digest is 1 + N messages a second apart per channel, so a send mostly waits: 2 x 100
    # channels in flight keep a worker busy (a crash repeats at most one message of each)
    send_chunk=100,
    in_flight=2,
    gone_status=ChannelStatus.REVOKED,
    retry=RetryPolicy(
        request_retries=1,  # one more try through slack_sdk's handlers (a 429 waits Retry-After)
        resend_backoff=(30.0, 120.0, 600.0, 1800.0),
        job_retry_intervals=(10, 60, 300),
    ),
)

# Block Kit's limits on the parts of a message (characters)
MAX_HEADER_CHARS = 150
MAX_BUTTON_CHARS = 75
MAX_CONTEXT_CHARS = 3000
MAX_ALT_CHARS = 2000
MAX_IMAGE_URL_CHARS = 3000
MAX_FALLBACK_CHARS = 3000  # notifications show the start; keep the request small
