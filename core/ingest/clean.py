"""Cleaning, the last stage before storage: canonical URLs and plain, safe text.

Feed markup is untrusted. Everything we keep from it becomes plain text here: tags
dropped (with the content of script/style), entities decoded, zero-width and bidi
control characters removed (they hide or reorder text in a digest), whitespace folded.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3

from core.invisible import INVISIBLE

# Query parameters that only track the reader; they never select content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "cmpid",
        "ocid",
        "sr_share",
    }
)
TRACKING_PREFIXES = ("utm_",)

_DEFAULT_PORTS = {"http": 80, "https": 443}

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
# Block-level boundaries become spaces so "<p>a</p><p>b</p>" does not read "ab".
_BLOCK = re.compile(
    r"<(?:br|hr|/?(?:p|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|section|article))\b[^>]*>",
    re.IGNORECASE,
)


def canonical_url(url: str) -> str:
    """The URL two feeds agree on for one page.

    Lowercases scheme and host, drops default ports, fragments, tracking parameters
    and a trailing slash on the path (publishers disagree on it: Mistral's two feeds
    differ only by that), and sorts the remaining query parameters.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port if parts.port and parts.port != _DEFAULT_PORTS.get(scheme) else None
    netloc = host if port is None else f"{host}:{port}"
    if ":" in host and port is None:
        netloc = f"[{host}]"
    elif ":" in host:
        netloc = f"[{host}]:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = urlencode(sorted(_kept_params(parts.query)))
    return urlunsplit((scheme, netloc, path, query, ""))


def _kept_params(query: str) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if name.lower() not in TRACKING_PARAMS and not name.lower().startswith(TRACKING_PREFIXES)
    ]


def strip_invisible(text: str) -> str:
    """Remove the invisible characters of :mod:`core.invisible` and C0 control characters."""
    return _CONTROL.sub("", INVISIBLE.sub("", text))


def clean_text(markup: str, max_chars: int | None = None) -> str:
    """Plain text from HTML or text: no tags, entities decoded, invisibles gone, one line.

    ``max_chars`` cuts at a word boundary and adds an ellipsis.
    """
    if not markup:
        return ""
    if "<" in markup:
        text = nh3.clean(_BLOCK.sub(" ", markup), tags=set(), attributes={})
    else:
        text = markup
    # nh3 leaves text escaped; unescape twice covers feeds that double-escape titles.
    text = html.unescape(html.unescape(text))
    text = _SPACE.sub(" ", strip_invisible(text)).strip()
    if max_chars is not None and len(text) > max_chars:
        cut = text[:max_chars].rsplit(" ", 1)[0] or text[:max_chars]
        text = cut.rstrip(" ,.;:") + "…"
    return text


def normalise_language(tag: str | None) -> str | None:
    """A BCP-47-ish tag as AIToday spells it: ``en-US`` -> ``en``, ``zh-TW`` -> ``zh-Hant``."""
    if not tag:
        return None
    parts = tag.strip().replace("_", "-").split("-")
    primary = parts[0].lower()
    if not primary.isalpha() or not 2 <= len(primary) <= 3:
        return None
    if primary != "zh":
        return primary
    rest = {p.lower() for p in parts[1:]}
    if rest & {"hant", "tw", "hk", "mo"}:
        return "zh-Hant"
    return "zh-Hans"
