"""Settings, read once at the edge (CLI, worker, web) and passed down.

Every setting comes from the environment with the prefix ``AITODAY_`` (nested groups with
``__``, e.g. ``AITODAY_LLM__MODEL``) or from a ``.env`` file. Secrets are ``SecretStr`` so
they print as ``**********``. Nothing here reads the environment at import time:
call :func:`load_settings`.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from core.errors import ConfigError

REDIS_SCHEMES = ("redis", "rediss", "unix")
MIN_SECRET_KEY = 16  # signed links (confirm, unsubscribe, preferences) are only as good


class FetchSettings(BaseModel):
    """How feeds are fetched."""

    concurrency: int = Field(default=64, ge=1, le=512, description="Feeds fetched at once, in all.")
    per_host: int = Field(
        default=4, ge=1, le=64, description="Feeds fetched at once from one host."
    )
    connect_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to connect to a feed's host."
    )
    read_timeout: float = Field(
        default=15.0, gt=0, description="Seconds to wait for a feed's bytes."
    )
    max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="Largest feed body read; larger ones are cut off and fail.",
    )
    max_redirects: int = Field(default=5, ge=0, le=20, description="Redirects followed per fetch.")
    max_failures: int = Field(
        default=8, ge=1, description="Consecutive failures before a source is disabled."
    )
    allow_private: bool = Field(
        default=False, description="Allow feeds on loopback/private addresses (tests, demo)."
    )
    parse_workers: int = Field(
        default=0, ge=0, description="Processes parsing feeds; 0 means one per CPU."
    )
    pages: bool = Field(
        default=True,
        description="Read each new article's page for its full text (trafilatura).",
    )
    robots: bool = Field(
        default=True, description="Honour publishers' robots.txt when reading article pages."
    )
    full_text_words: int = Field(
        default=250,
        ge=0,
        description="A feed item with at least this many words (and no 'read more' ending) "
        "already carries the full text: its page is not read.",
    )
    max_items_per_feed: int = Field(
        default=500,
        ge=1,
        description="Items kept from one feed per fetch (the newest); the rest are "
        "counted in the ingest report and not stored.",
    )
    user_agent: str = Field(
        default="AIToday/0.1 (+https://github.com/aitoday/aitoday; self-hosted news digest)",
        description="User-Agent sent to publishers.",
    )


class StorySettings(BaseModel):
    """Clustering window and ranking."""

    window_hours: float = Field(
        default=72.0, gt=0, description="How far back an article may join an existing story."
    )
    half_life_hours: float = Field(
        default=18.0, gt=0, description="Recency half-life of a story's score."
    )
    article_ttl_days: int = Field(default=14, ge=1, description="Days articles are kept.")


class LLMSettings(BaseModel):
    """The brief writer. No model: extractive briefs, no network."""

    model: str | None = Field(
        default=None, description="litellm model name; unset means extractive briefs (offline)."
    )
    api_base: str | None = Field(
        default=None, description="Base URL of the model's API (e.g. a local server)."
    )
    api_key: SecretStr | None = Field(default=None, description="API key for the model.")
    fallbacks: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated fallback models, tried in order."
    )
    daily_budget_usd: float = Field(
        default=5.0, ge=0, description="LLM spend per UTC day; beyond it briefs are extractive."
    )
    timeout: float = Field(default=60.0, gt=0, description="Seconds per LLM request.")
    max_retries: int = Field(default=2, ge=0, le=10, description="Retries per LLM request.")
    input_token_budget: int = Field(
        default=6000, ge=500, description="Most tokens of article text sent per brief."
    )
    embedding_model: str | None = Field(
        default=None,
        description="litellm embedding model for story clustering (any language); unset "
        "means the bundled offline model (Latin-script titles only).",
    )

    @field_validator("fallbacks", mode="before")
    @classmethod
    def _split_fallbacks(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class SMTPSettings(BaseModel):
    """Outgoing mail. No host: mail goes to the Maildir outbox."""

    host: str | None = Field(
        default=None, description="SMTP relay; unset means mail goes to the outbox Maildir."
    )
    port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    username: str | None = Field(default=None, description="SMTP user name.")
    password: SecretStr | None = Field(default=None, description="SMTP password.")
    starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS.")
    use_tls: bool = Field(default=False, description="Connect with implicit TLS (port 465).")
    from_: str = Field(
        default="AIToday <digest@aitoday.localhost>",
        alias="from",
        description="From address of digests.",
    )
    reply_to: str | None = Field(default=None, description="Reply-To address.")
    timeout: float = Field(default=30.0, gt=0, description="Seconds per SMTP operation.")

    model_config = {"populate_by_name": True}


class SlackSettings(BaseModel):
    """One workspace (bot_token) or many (client_id/client_secret, OAuth)."""

    signing_secret: SecretStr | None = Field(
        default=None, description="Slack signing secret (verifies every request)."
    )
    bot_token: SecretStr | None = Field(
        default=None, description="Bot token for a single workspace (xoxb-...)."
    )
    client_id: str | None = Field(
        default=None, description="OAuth client id (multi-workspace installs)."
    )
    client_secret: SecretStr | None = Field(default=None, description="OAuth client secret.")
    api_base: str | None = Field(
        default=None, description="Slack Web API base URL (tests, proxies)."
    )


class LineSettings(BaseModel):
    """The LINE Messaging API channel."""

    channel_secret: SecretStr | None = Field(
        default=None, description="LINE channel secret (verifies webhooks)."
    )
    channel_access_token: SecretStr | None = Field(
        default=None, description="LINE channel access token."
    )
    api_base: str | None = Field(
        default=None, description="LINE Messaging API base URL (tests, proxies)."
    )
    add_friend_url: str | None = Field(
        default=None, description="The bot's add-friend link shown on the landing page."
    )
    quota_policy: Literal["engaged_first", "defer_all"] = Field(
        default="engaged_first",
        description="When the monthly quota runs short: engaged_first or defer_all.",
    )


class WebSettings(BaseModel):
    """The one small web process."""

    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public URL of the web process (links in messages).",
    )
    host: str = Field(default="127.0.0.1", description="Address `aitoday web` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `aitoday web` listens on.")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated proxy addresses whose X-Forwarded-For/-Proto are "
        "believed; empty: nobody's (the peer address is the client).",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class DigestSettings(BaseModel):
    """Editions and delivery."""

    max_items: int = Field(default=5, ge=1, le=20, description="Stories per digest by default.")
    tick_minutes: int = Field(default=5, ge=1, le=60, description="Minutes between digest ticks.")
    catch_up_minutes: int = Field(
        default=180, ge=0, description="How late a missed slot is still delivered."
    )
    ingest_minutes: int = Field(
        default=30, ge=1, description="Minutes between ingest runs under `aitoday cron`."
    )
    batch_size: int = Field(default=500, ge=1, le=5000, description="Recipients per delivery job.")
    breaking_per_day: int = Field(
        default=2, ge=0, description="Breaking alerts per subscriber per day, at most."
    )
    outbox_dir: Path = Field(
        default=Path("./outbox"),
        description="Where the outbox transports write (demo, development).",
    )


SNS_CERT_HOSTS = ("sns.*.amazonaws.com", "sns.*.amazonaws.com.cn")


class BounceSettings(BaseModel):
    """Bounce and complaint webhooks; a provider's route answers 404 until its key is set."""

    sns_topic_arns: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated SNS topic ARNs (Amazon SES bounces and complaints) "
        "accepted at /bounces/ses; empty: the route is off.",
    )
    sns_cert_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(SNS_CERT_HOSTS),
        description="Hosts (`*` = one label) whose https SigningCertURL is trusted for SNS "
        "signatures.",
    )
    mailgun_signing_key: SecretStr | None = Field(
        default=None, description="Mailgun webhook signing key (verifies /bounces/mailgun)."
    )
    sendgrid_public_key: str | None = Field(
        default=None,
        description="SendGrid Event Webhook verification key, base64 (verifies /bounces/sendgrid).",
    )
    postmark_username: str = Field(
        default="postmark",
        description="User name Postmark sends (basic auth) to /bounces/postmark.",
    )
    postmark_password: SecretStr | None = Field(
        default=None, description="Password Postmark sends (basic auth) to /bounces/postmark."
    )
    max_age_seconds: int = Field(
        default=86_400, ge=60, description="Signed webhook events older than this are refused."
    )

    @field_validator("sns_topic_arns", "sns_cert_hosts", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class IMAPSettings(BaseModel):
    """The bounce mailbox: RFC 3464 DSNs and ARF complaints. No host: not polled."""

    host: str | None = Field(
        default=None, description="IMAP server of the bounce mailbox; unset: not polled."
    )
    port: int = Field(default=993, ge=1, le=65535, description="IMAP port.")
    username: str | None = Field(default=None, description="IMAP user name.")
    password: SecretStr | None = Field(default=None, description="IMAP password.")
    folder: str = Field(default="INBOX", description="Mailbox folder holding the reports.")
    tls: Literal["ssl", "starttls", "none"] = Field(
        default="ssl", description="ssl (implicit, 993), starttls, or none (loopback only)."
    )
    poll_minutes: int = Field(
        default=10, ge=1, description="Minutes between mailbox polls under `aitoday cron`."
    )
    timeout: float = Field(default=30.0, gt=0, description="Seconds per IMAP operation.")


class FeedbackSettings(BaseModel):
    """More / less like this: how long a reader's taps count and how much they weigh."""

    half_life_days: float = Field(
        default=30.0,
        gt=0,
        le=3650,
        description="Days after which a more/less tap counts half as much (decay).",
    )
    max_events: int = Field(
        default=200, ge=1, le=2000, description="Taps kept per subscriber; the oldest go first."
    )
    max_effect: float = Field(
        default=0.5,
        ge=0,
        le=0.9,
        description="Most that learned weights move a story's score, as a share "
        "(0.5: x0.5 to x1.5); a filter never comes from taps.",
    )


class LogSettings(BaseModel):
    """Logging."""

    level: str = Field(default="INFO", description="Log level.")
    json_: bool = Field(default=False, alias="json", description="Log JSON lines.")

    model_config = {"populate_by_name": True}


class Settings(BaseSettings):
    """All of AIToday's settings. See the README's settings table."""

    model_config = SettingsConfigDict(
        env_prefix="AITODAY_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    redis_url: str | None = Field(
        default=None, description="Redis URL; unset starts an embedded Redis under DATA_DIR."
    )
    redis_sentinels: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated Sentinel host:port list; set: connect to the master "
        "they name (REDIS_MASTER_NAME) and follow failovers; REDIS_URL then gives only "
        "the password and db.",
    )
    redis_master_name: str = Field(
        default="mymaster", description="The master's name in Sentinel (`sentinel monitor`)."
    )
    redis_sentinel_password: SecretStr | None = Field(
        default=None, description="Password of the Sentinels themselves (not the master's)."
    )
    data_dir: Path = Field(
        default=Path("./.aitoday"), description="Where embedded Redis and local state live."
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Key for signed links, 16+ random characters; unset or empty: made and kept in "
            "DATA_DIR."
        ),
    )
    key_prefix: str = Field(default="aitoday", description="Prefix of every Redis key.")
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    stories: StorySettings = Field(default_factory=StorySettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    smtp: SMTPSettings = Field(default_factory=SMTPSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    line: LineSettings = Field(default_factory=LineSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    feedback: FeedbackSettings = Field(default_factory=FeedbackSettings)
    bounces: BounceSettings = Field(default_factory=BounceSettings)
    imap: IMAPSettings = Field(default_factory=IMAPSettings)
    log: LogSettings = Field(default_factory=LogSettings)

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        scheme = urlsplit(value).scheme
        if scheme not in REDIS_SCHEMES:
            raise ValueError(f"must start with redis://, rediss:// or unix:// (got {value!r})")
        return value

    @field_validator("redis_sentinels", mode="before")
    @classmethod
    def _split_sentinels(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("redis_sentinels")
    @classmethod
    def _check_sentinels(cls, value: list[str]) -> list[str]:
        for entry in value:
            sentinel_address(entry)
        return value

    @field_validator("secret_key")
    @classmethod
    def _check_secret_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or value.get_secret_value() == "":
            return None  # unset or empty: a random key is made once under DATA_DIR
        secret = value.get_secret_value()
        if len(secret) < MIN_SECRET_KEY or secret.startswith("change-me"):
            raise ValueError(
                f"must be a random string of at least {MIN_SECRET_KEY} characters, not a "
                'placeholder (python3 -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        return value

    @field_validator("key_prefix")
    @classmethod
    def _check_prefix(cls, value: str) -> str:
        if not value or ":" in value or " " in value:
            raise ValueError("must be a non-empty word without ':' or spaces")
        return value

    def signing_key(self) -> bytes:
        """The key for signed links; made once and kept under data_dir when unset."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip().encode()


def sentinel_address(entry: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` too) as a pair; ValueError naming the entry when not."""
    host, sep, port = entry.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"each Sentinel must be host:port (got {entry!r})")
    return host, int(port)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; a bad value raises ConfigError with one clear line."""
    try:
        return Settings(**overrides)
    except PydanticValidationError as exc:
        raise ConfigError(_one_line(exc)) from None
    except SettingsError as exc:
        raise ConfigError(f"invalid setting: {exc}") from None


def _one_line(exc: PydanticValidationError) -> str:
    parts = []
    for error in exc.errors():
        name = "AITODAY_" + "__".join(str(p) for p in error["loc"]).upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{name}: {message}")
    return "invalid setting " + "; ".join(parts)


def masked(settings: Settings) -> dict[str, Any]:
    """The effective settings as a dict, with every secret shown as ``**********``."""
    values: dict[str, Any] = _mask(settings.model_dump(mode="python", by_alias=False))
    return values


def _mask(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return "**********"
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def setting_rows(
    model: type[BaseModel] = Settings, prefix: str = "AITODAY_"
) -> list[tuple[str, str, str]]:
    """(environment name, default, description) for every setting, for the README table."""
    rows: list[tuple[str, str, str]] = []
    for name, field in model.model_fields.items():
        env = f"{prefix}{(field.alias or name).upper()}"
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.extend(setting_rows(annotation, env + "__"))
            continue
        default = field.get_default(call_default_factory=True)
        shown = "" if default is None or default == [] else str(default)
        rows.append((env, shown, field.description or ""))
    return rows
