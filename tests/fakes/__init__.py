"""Real local servers that play outside services (publishers, Slack, LINE, an LLM, SMTP).

Each fake validates what it receives against the platform's documented limits, records
every request, and can inject failures (429, 5xx, timeouts, platform error codes).
"""
