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


class FetchSettings(BaseModel):
    """How feeds are fetched."""

    concurrency: int = Field(default=32, ge=1, le=512)
    per_host: int = Field(default=4, ge=1, le=64)
    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=15.0, gt=0)
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(default=5, ge=0, le=20)
    max_failures: int = Field(default=8, ge=1)
    allow_private: bool = False
    parse_workers: int = Field(default=0, ge=0, description="0: one per CPU")
    user_agent: str = "AIToday/0.1 (+https://github.com/aitoday/aitoday; self-hosted news digest)"


class StorySettings(BaseModel):
    """Clustering window and ranking."""

    window_hours: float = Field(default=72.0, gt=0)
    half_life_hours: float = Field(default=18.0, gt=0)
    article_ttl_days: int = Field(default=14, ge=1)


class LLMSettings(BaseModel):
    """The brief writer. No model: extractive briefs, no network."""

    model: str | None = None
    api_base: str | None = None
    api_key: SecretStr | None = None
    fallbacks: Annotated[list[str], NoDecode] = Field(default_factory=list)
    daily_budget_usd: float = Field(default=5.0, ge=0)
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    input_token_budget: int = Field(default=6000, ge=500)

    @field_validator("fallbacks", mode="before")
    @classmethod
    def _split_fallbacks(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class SMTPSettings(BaseModel):
    """Outgoing mail. No host: mail goes to the Maildir outbox."""

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = True
    use_tls: bool = False
    from_: str = Field(default="AIToday <digest@aitoday.localhost>", alias="from")
    reply_to: str | None = None
    timeout: float = Field(default=30.0, gt=0)

    model_config = {"populate_by_name": True}


class SlackSettings(BaseModel):
    """One workspace (bot_token) or many (client_id/client_secret, OAuth)."""

    signing_secret: SecretStr | None = None
    bot_token: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    api_base: str | None = None


class LineSettings(BaseModel):
    """The LINE Messaging API channel."""

    channel_secret: SecretStr | None = None
    channel_access_token: SecretStr | None = None
    api_base: str | None = None
    add_friend_url: str | None = None
    quota_policy: Literal["engaged_first", "defer_all"] = "engaged_first"


class WebSettings(BaseModel):
    """The one small web process."""

    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)


class DigestSettings(BaseModel):
    """Editions and delivery."""

    max_items: int = Field(default=5, ge=1, le=20)
    tick_minutes: int = Field(default=5, ge=1, le=60)
    catch_up_minutes: int = Field(default=180, ge=0)
    ingest_minutes: int = Field(default=30, ge=1)
    batch_size: int = Field(default=500, ge=1, le=5000)
    breaking_per_day: int = Field(default=2, ge=0)
    outbox_dir: Path = Path("./outbox")


class LogSettings(BaseModel):
    """Logging."""

    level: str = "INFO"
    json_: bool = Field(default=False, alias="json")

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

    redis_url: str | None = None
    data_dir: Path = Path("./.aitoday")
    secret_key: SecretStr | None = None
    key_prefix: str = "aitoday"
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    stories: StorySettings = Field(default_factory=StorySettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    smtp: SMTPSettings = Field(default_factory=SMTPSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    line: LineSettings = Field(default_factory=LineSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
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
