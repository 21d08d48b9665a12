"""What the sign-up pages say, in the page's language: the message pages' words, why a
link does not work, and the form errors of sign-up and preferences (core/labels/site.py).

core.preferences and core.tokens refuse input with English messages (the CLI and the
logs read those); these functions say the same thing in the reader's language.
"""

from __future__ import annotations

from typing import Any

from core.errors import ValidationError
from core.i18n import label
from core.models import Channel
from core.preferences import MAX_WORD_LEN, MAX_WORDS
from core.stories.topics import TOPICS, topic_name

# core.tokens' messages -> our label; anything else reads "this link is not valid".
_LINK_REASONS = {
    "this link has expired": "link_expired",
    "this link is not valid": "link_invalid",
}

# A preferences setting (core.preferences.apply_setting's key) -> the label of its field.
_FIELD_LABELS = {
    "time": "delivery_time",
    "tz": "time_zone",
    "lang": "language_field",
    "frequency": "how_often",
    "items": "items_per_digest",
    "topics": "topics_you_follow",
    "exclude": "hide_mentioning",
    "email.status": "channel_email",
}

_CHANNEL_NAMES = {"slack": "Slack", "line": "LINE"}

# The form field each setting came from, for quoting what the reader typed.
_FORM_FIELDS = {"time": "time", "tz": "timezone"}


def message(lang: str, key: str, icon: str | None = None, **values: object) -> dict[str, Any]:
    """The context of message.html: ``{key}_title`` and ``{key}_body`` in ``lang``."""
    context: dict[str, Any] = {
        "title": label(f"{key}_title", lang),
        "body": label(f"{key}_body", lang, **values),
    }
    if icon:
        context["icon"] = icon
    return context


def link_reason(exc: ValidationError) -> str:
    """The label key saying why a signed link was refused."""
    return _LINK_REASONS.get(exc.message, "link_invalid")


def email_error(value: str, lang: str) -> str:
    """The sign-up form's only error: what was typed is not an address."""
    return label("error_email", lang, value=value[:80])


def form_errors(errors: dict[str, str], form: dict[str, list[str]], lang: str) -> dict[str, str]:
    """The preferences form's errors (setting -> English message) in ``lang``."""
    return {key: field_error(key, form, lang) for key in errors}


def field_error(key: str, form: dict[str, list[str]], lang: str) -> str:
    """One setting's error, quoting the typed value where that helps."""
    typed = form.get(_FORM_FIELDS.get(key, ""), [""])[0].strip()[:40]
    if key == "time":
        return label("error_time", lang, value=typed)
    if key == "tz":
        return label("error_timezone", lang, value=typed)
    if key == "exclude":
        return label("error_exclude", lang, words=MAX_WORDS, chars=MAX_WORD_LEN)
    if key == "form":
        return label("error_form_too_large", lang)
    field = label(_FIELD_LABELS[key], lang) if key in _FIELD_LABELS else key
    return label("error_invalid", lang, field=field)


def topic_choices(lang: str) -> list[tuple[str, str]]:
    """(slug, name in ``lang``) of every topic a reader can follow."""
    return [(slug, topic_name(slug, lang)) for slug in TOPICS]


def channel_name(channel: Channel, lang: str) -> str:
    """A channel as a reader calls it: "E-Mail", "メール"; Slack and LINE are names."""
    if channel == "email":
        return label("channel_email", lang)
    return _CHANNEL_NAMES.get(channel, channel)
