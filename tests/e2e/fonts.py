"""What Chromium really drew a page's text with, and whether those fonts hold every glyph.

``CSS.getPlatformFontsForNode`` (Chrome DevTools Protocol) names the system fonts that
rendered each text node. A character none of them contains is drawn as a .notdef box
("tofu"), so the check is: every character of a rendered text node is in the charset
(fontconfig, ``fc-list``) of at least one font Chromium used for that node. And where the
text is Chinese, Japanese, Korean or Thai, the font must be the one for the language of
that element (the same Han code point has different shapes in Japan, Taiwan and China).
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

# The language -> the Noto family Debian's fonts-noto-cjk / fonts-noto-core give it.
SCRIPT_FONTS = {
    "ja": "Noto Sans CJK JP",
    "zh-Hant": "Noto Sans CJK TC",
    "zh-Hans": "Noto Sans CJK SC",
    "ko": "Noto Sans CJK KR",
    "th": "Noto Sans Thai",
}
NEEDED = ("Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR", "Noto Sans Thai")
_UNRENDERED = {"script", "style", "head", "title", "option", "noscript", "template"}
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


@dataclass(frozen=True)
class TextRun:
    """One rendered text node: its text, its element's language, the fonts that drew it."""

    text: str
    lang: str
    fonts: tuple[tuple[str, str], ...]  # (family, PostScript name)


def require_fonts() -> None:
    """Skip, saying how to get them, where the Noto fonts the pages name are absent."""
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig is absent (make browser)")
    families = subprocess.run(
        ["fc-list", "--format", "%{family}\n"], capture_output=True, text=True, check=True
    ).stdout
    missing = [name for name in NEEDED if name not in families]
    if missing:
        pytest.skip(f"fonts missing: {missing} (make browser installs them)")


def text_runs(driver: Any) -> list[TextRun]:
    """Every rendered, non-blank text node of the current page with the fonts used."""
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": -1, "pierce": False})["root"]
    runs: list[TextRun] = []
    for node_id, text, lang in _text_nodes(root, ""):
        used = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node_id})
        fonts = tuple((f["familyName"], f["postScriptName"]) for f in used["fonts"])
        if fonts:  # no fonts: not rendered (a closed <select>'s options, hidden fields)
            runs.append(TextRun(text, lang, fonts))
    return runs


def tofu(runs: list[TextRun]) -> list[str]:
    """The characters no font used for their node contains, as "U+XXXX in 'text'"."""
    missing = []
    for run in runs:
        for char in set(run.text):
            if _ignorable(char):
                continue
            if not any(covers(name, ord(char)) for _, name in run.fonts):
                missing.append(f"U+{ord(char):04X} in {run.text[:40]!r} ({run.fonts})")
    return missing


def wrong_script_fonts(runs: list[TextRun]) -> list[str]:
    """CJK or Thai text drawn without its language's font, or with another language's."""
    problems = []
    for run in runs:
        script = _script(run.text)
        if script is None:
            continue
        families = {family for family, _ in run.fonts}
        others = {f for f in SCRIPT_FONTS.values() if f in families} - {_expected(run.lang)}
        if _expected(run.lang) not in families or (script == "cjk" and others):
            problems.append(f"{run.lang}: {run.text[:40]!r} drawn with {sorted(families)}")
    return problems


@cache
def charset(postscript_name: str) -> tuple[tuple[int, int], ...]:
    """The code point ranges a font holds (fontconfig's charset of that face)."""
    out = subprocess.run(
        ["fc-list", "--format", "%{charset}\n", f":postscriptname={postscript_name}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n", 1)[0]
    ranges = []
    for part in out.split():
        low, _, high = part.partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    return tuple(ranges)


def covers(postscript_name: str, code_point: int) -> bool:
    return any(low <= code_point <= high for low, high in charset(postscript_name))


def _text_nodes(node: dict[str, Any], lang: str) -> list[tuple[int, str, str]]:
    attributes = node.get("attributes", [])
    lang = dict(zip(attributes[::2], attributes[1::2], strict=True)).get("lang", lang)
    if node.get("nodeType") == 3:
        text = str(node.get("nodeValue", ""))
        return [(node["nodeId"], text, lang)] if text.strip() else []
    if str(node.get("localName", "")) in _UNRENDERED:
        return []
    found: list[tuple[int, str, str]] = []
    for child in node.get("children", []):
        found.extend(_text_nodes(child, lang))
    return found


def _ignorable(char: str) -> bool:
    return char.isspace() or char in _INVISIBLE or unicodedata.category(char) == "Cc"


def _script(text: str) -> str | None:
    """ "cjk" for Han, kana or Hangul, "thai" for Thai, else None."""
    for char in text:
        name = unicodedata.name(char, "")
        if name.startswith(("CJK ", "HIRAGANA", "KATAKANA", "HANGUL")):
            return "cjk"
        if name.startswith("THAI"):
            return "thai"
    return None


def _expected(lang: str) -> str:
    return SCRIPT_FONTS.get(lang, "?")
