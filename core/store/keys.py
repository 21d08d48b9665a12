"""Every Redis key AIToday uses, built in one place.

A reader can see the whole schema on one screen. Every key starts with the configured
prefix (``AITODAY_KEY_PREFIX``, default ``aitoday``); tests use a unique prefix each and
delete ``{prefix}:*`` afterwards. Where data expires, its TTL stands next to the builder.

Identifiers used inside keys are ours (hex digests, slugs, ISO dates), never raw user
input, so a key never holds an e-mail address in clear.
"""

from __future__ import annotations

from dataclasses import dataclass

DAY = 86_400

ARTICLE_TTL_DEFAULT = 14 * DAY  # overridden by AITODAY_STORIES__ARTICLE_TTL_DAYS
STORY_TTL = 30 * DAY  # "search" looks back 30 days
CLUSTER_VECTOR_SLACK = DAY  # a vector outlives its article's time in the window by this
BRIEF_TTL = 30 * DAY
EDITION_TTL = 30 * DAY
DELIVERY_TTL = 30 * DAY
SLOT_MARKER_TTL = 3 * DAY
SENT_TTL = 8 * DAY  # candidates are at most a week old: older sends cannot repeat
WEBHOOK_DEDUPE_TTL = 2 * DAY
BOUNCE_SEEN_TTL = 30 * DAY  # relays retry for hours; a month covers any redelivery
OAUTH_STATE_TTL = 600
SPEND_TTL = 400 * DAY
LAST_LIST_TTL = DAY  # "brief <n>" answers from the list a chat saw today
FEEDBACK_TTL = 400 * DAY  # refreshed by every tap; decay makes older taps weigh ~nothing


@dataclass(frozen=True)
class Keys:
    """Key builders under one prefix."""

    prefix: str = "aitoday"

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def pattern(self) -> str:
        """Glob matching every key of this prefix (for tests and `users delete`)."""
        return f"{self.prefix}:*"

    # -- sources and ingestion ------------------------------------------------------
    def sources(self) -> str:
        """Hash: source id -> Source JSON."""
        return self._k("sources")

    def source_state(self, source_id: str) -> str:
        """Hash: etag, last_modified, body_hash, failures, next_fetch_at, last_error ..."""
        return self._k("source", source_id, "state")

    def sources_seeded(self) -> str:
        """String: set once the default sources were seeded (removing all stays removed)."""
        return self._k("sources", "seeded")

    def ingest_last_run(self) -> str:
        """String: the last ingest run report as JSON."""
        return self._k("ingest", "last_run")

    # -- articles (TTL: stories.article_ttl_days) -----------------------------------
    def article(self, article_id: str) -> str:
        """String: Article JSON."""
        return self._k("article", article_id)

    def article_by_url(self, url_digest: str) -> str:
        """String: article id for a canonical URL digest."""
        return self._k("article", "url", url_digest)

    def article_by_guid(self, guid_digest: str) -> str:
        """String: article id for a (source-independent) GUID digest."""
        return self._k("article", "guid", guid_digest)

    def articles_by_time(self) -> str:
        """Sorted set: article id scored by published time (epoch seconds)."""
        return self._k("articles", "by_time")

    # -- stories (TTL: STORY_TTL) ---------------------------------------------------
    def story(self, story_id: str) -> str:
        """String: Story JSON."""
        return self._k("story", story_id)

    def stories_by_time(self) -> str:
        """Sorted set: story id scored by last_updated (epoch seconds)."""
        return self._k("stories", "by_time")

    def cluster_state(self) -> str:
        """String: the incremental clusterer's window index (see core.stories.cluster)."""
        return self._k("cluster", "state")

    def cluster_vector(self, article_id: str) -> str:
        """String: an article's int8 title embedding for clustering, 256 bytes
        (TTL: the clustering window plus CLUSTER_VECTOR_SLACK)."""
        return self._k("cluster", "vec", article_id)

    def embedding_vector(self, model_digest: str, article_id: str) -> str:
        """String: an article's int8 title embedding by a configured embedding model
        (``LLM__EMBEDDING_MODEL``; ``model_digest`` names it), one per article and model
        (TTL: as ``cluster_vector``)."""
        return self._k("cluster", "emb", model_digest, article_id)

    def cluster_lock(self) -> str:
        """Lock held while stories are updated (two ingest runs never interleave)."""
        return self._k("cluster", "lock")

    def story_alias(self, story_id: str) -> str:
        """String: the story a merged story now lives in (TTL: STORY_TTL)."""
        return self._k("story", "alias", story_id)

    # -- briefs ---------------------------------------------------------------------
    def brief(self, content_hash: str) -> str:
        """String: Brief JSON, keyed by hash(article set, model, prompt version, lang)."""
        return self._k("brief", content_hash)

    def brief_latest(self, story_id: str, language: str) -> str:
        """String: the content hash of the newest brief of a story in a language."""
        return self._k("brief", "latest", story_id, language)

    def brief_failed(self, content_hash: str) -> str:
        """String: why the LLM failed this brief, JSON (TTL: until it is asked again)."""
        return self._k("brief", "failed", content_hash)

    def brief_lock(self, content_hash: str) -> str:
        """String: the process writing this brief now (TTL: the LLM call's longest time)."""
        return self._k("brief", "lock", content_hash)

    def llm_spend(self, day: str) -> str:
        """Hash: prompt_tokens, completion_tokens, cost_usd, calls, fallbacks for a day."""
        return self._k("llm", "spend", day)

    # -- subscribers (core.store.subscribers) ---------------------------------------
    def subscribers(self) -> str:
        """Hash: subscriber id -> Subscriber JSON (compact: defaults left out)."""
        return self._k("subscribers")

    def subscriber_due(self) -> str:
        """Sorted set: subscriber id scored by its next slot (UTC epoch seconds, minute)."""
        return self._k("subscribers", "due")

    def subscriber_breaking(self) -> str:
        """Set: ids of subscribers who want breaking alerts."""
        return self._k("subscribers", "breaking")

    def subscriber_address(self, channel: str) -> str:
        """Hash: digest of a normalized address on a channel -> subscriber id."""
        return self._k("subscribers", "addr", channel)

    def subscriber_sent(self, subscriber_id: str) -> str:
        """Sorted set: story id prefixes sent to a subscriber, scored by time (SENT_TTL)."""
        return self._k("sent", subscriber_id)

    # -- feedback: more / less like this (core.store.feedback; TTL: FEEDBACK_TTL) ---
    def feedback_events(self, subscriber_id: str) -> str:
        """String: a subscriber's more/less taps, JSON list, oldest first (capped)."""
        return self._k("feedback", "events", subscriber_id)

    def feedback_learned(self) -> str:
        """Hash: subscriber id -> learned weights JSON {"at", "w": {feature: strength}},
        rebuilt from the events on every change (what the tick reads)."""
        return self._k("feedback", "learned")

    # -- editions and schedule (core.editions) --------------------------------------
    def edition(self, edition_id: str) -> str:
        """String: Edition JSON without briefs (EDITION_TTL)."""
        return self._k("edition", edition_id)

    def editions_by_time(self) -> str:
        """Sorted set: edition id scored by its slot (epoch seconds)."""
        return self._k("editions", "by_time")

    def slot_marker(self, local_day: str) -> str:
        """Hash: subscriber id -> tick that claimed that local day's digest (SLOT_MARKER_TTL)."""
        return self._k("slots", local_day)

    def breaking_sent(self, day: str) -> str:
        """Hash: subscriber id -> breaking alerts sent on a UTC day (SLOT_MARKER_TTL)."""
        return self._k("breaking", "count", day)

    def breaking_deferred(self) -> str:
        """Sorted set: "subscriber_id:story_id" scored by when quiet hours end."""
        return self._k("breaking", "deferred")

    def breaking_alerted(self) -> str:
        """Sorted set: story ids already alerted, scored by time (trimmed after 3 days)."""
        return self._k("breaking", "alerted")

    # -- deliveries (workers fan-out) -----------------------------------------------
    # TTL: DELIVERY_TTL on each, refreshed on write. Subscriber ids only, no addresses.
    def delivery_markers(self, edition_id: str, channel: str) -> str:
        """Hash: subscriber id -> marker ("sent", "gone|reason", "inflight|token", ...)."""
        return self._k("delivery", edition_id, channel, "markers")

    def delivery_progress(self, edition_id: str, channel: str) -> str:
        """Hash: subscriber id -> how far a multi-message delivery got (Slack: the thread's
        parent ts and the replies posted), so a retry resumes instead of repeating."""
        return self._k("delivery", edition_id, channel, "progress")

    def delivery_batches(self, edition_id: str) -> str:
        """Hash: batch job id -> {"channel", "batch_no", "ids"} JSON (ids, no addresses)."""
        return self._k("delivery", edition_id, "batches")

    def delivery_dead(self, edition_id: str) -> str:
        """Hash: batch job id -> dead-letter JSON {"reason", "at", "channel", "ids"}."""
        return self._k("delivery", edition_id, "dead")

    def delivery_lease(self, token: str) -> str:
        """String: held (with a short TTL, refreshed per chunk) while a job execution runs."""
        return self._k("delivery", "lease", token)

    def delivery_editions(self) -> str:
        """Sorted set: edition id scored by first enqueue time (for listings and cleanup)."""
        return self._k("delivery", "editions")

    def delivery_running(self) -> str:
        """Hash: execution token -> {"edition_id", "channel", "batch_no"} JSON while a batch
        job runs; an entry whose lease is gone is a killed execution (cron re-queues it)."""
        return self._k("delivery", "running")

    def delivery_strikes(self, channel: str) -> str:
        """Hash: subscriber id -> "<count>|<last edition>": editions in a row refused softly
        (a full mailbox); cleared by a send, GONE at the limit (workers.jobs)."""
        return self._k("delivery", "strikes", channel)

    # -- bounces and complaints (core.bounces, core.store.bounces) -------------------
    def bounce_seen(self, event_digest: str) -> str:
        """String: a bounce report already applied (TTL: BOUNCE_SEEN_TTL)."""
        return self._k("bounce", "seen", event_digest)

    def bounce_counts(self) -> str:
        """Hash: "<source>:<provider>:<kind>" -> reports received (webhook, dsn)."""
        return self._k("bounce", "counts")

    def bounced_addresses(self) -> str:
        """Hash: subscriber id -> "<status>|<source>" while their e-mail is bounced or
        complained (kept by SubscriberRepo's writes, whatever set the status)."""
        return self._k("bounce", "addresses")

    # -- inbound surfaces (bots: Slack installs, OAuth state, LINE dedupe, sign-up) --
    def slack_bot(self, enterprise_id: str, team_id: str) -> str:
        """String: the latest Slack bot installation of a workspace (JSON)."""
        return self._k("slack", "bot", enterprise_id or "-", team_id or "-")

    def slack_installation(self, enterprise_id: str, team_id: str, user_id: str) -> str:
        """String: a Slack installation (JSON); user_id "-" is the workspace's latest."""
        return self._k("slack", "install", enterprise_id or "-", team_id or "-", user_id or "-")

    def slack_installations(self, enterprise_id: str, team_id: str) -> str:
        """Set: the installation keys of a workspace (to delete them all on uninstall)."""
        return self._k("slack", "installs", enterprise_id or "-", team_id or "-")

    def slack_oauth_state(self, state: str) -> str:
        """String: an issued OAuth state (TTL: OAUTH_STATE_TTL), consumed once."""
        return self._k("slack", "oauth_state", state)

    def slack_seen(self, request_digest: str) -> str:
        """String: a signed Slack request or event id already handled (TTL: dedupe)."""
        return self._k("slack", "seen", request_digest)

    def line_seen(self, webhook_event_id: str) -> str:
        """String: a LINE webhookEventId already handled (TTL: WEBHOOK_DEDUPE_TTL)."""
        return self._k("line", "seen", webhook_event_id)

    def chat_rate(self, channel: str, who_digest: str, window: str) -> str:
        """String counter: chat commands from one user in a one-minute window (TTL 60 s)."""
        return self._k("chat", "rate", channel, who_digest, window)

    def signup_limit(self, kind: str, who_digest: str, window: str) -> str:
        """String counter: sign-ups per IP or per address digest in a window (TTL)."""
        return self._k("signup", kind, who_digest, window)

    def chat_last_list(self, channel: str, address_digest: str) -> str:
        """String: story ids last listed to a chat (for "brief <n>"; TTL: one day)."""
        return self._k("chat", "last", channel, address_digest)

    # -- operations (status, metrics) -----------------------------------------------
    def metric(self, name: str) -> str:
        """Hash: label set -> counter value (core.metrics)."""
        return self._k("metric", name)

    def cron_lock(self) -> str:
        """String: the token of the one cron process allowed to act (TTL: workers.cron)."""
        return self._k("cron", "lock")

    def bench_scratch(self, item: str) -> str:
        """String: a benchmark's baseline data (bench/ only; deleted by the bench)."""
        return self._k("baseline", item)

    def cron_state(self) -> str:
        """Hash: "<job>:last_at", "<job>:last_result", "<job>:last_error" per cron job."""
        return self._k("cron", "state")
