"""LINE in the reader's language: quick replies, and more/less buttons that stay one line."""

from __future__ import annotations

import unicodedata

import pytest

from bots.line.limits import MAX_ACTION_LABEL
from bots.line.render import QUICK_COMMANDS, render_line
from core.i18n import LANGUAGES, label
from tests.render.editions import make_edition

BASE = "https://aitoday.example.org"
# Half the footer of a "mega" bubble holds about 14 Latin letters (7 CJK characters) of
# button text on one line; longer labels wrap.
HALF_FOOTER_COLUMNS = 14


def columns(text: str) -> int:
    """Display columns: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_japanese_quick_replies_are_japanese_postbacks() -> None:
    messages = render_line(make_edition(2, channel="line", language="ja"), base_url=BASE)
    actions = [item["action"] for item in messages[-1]["quickReply"]["items"]]

    assert [a["label"] for a in actions] == ["今日のニュース", "トピック", "設定", "ヘルプ"]
    assert [a["data"] for a in actions] == [f"cmd={c}" for c in QUICK_COMMANDS]
    assert all(a["type"] == "postback" and a["displayText"] == a["label"] for a in actions)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_quick_reply_labels_fit_lines_limit(lang: str) -> None:
    messages = render_line(make_edition(1, channel="line", language=lang), base_url=BASE)
    labels = [item["action"]["label"] for item in messages[-1]["quickReply"]["items"]]
    assert all(0 < len(text) <= MAX_ACTION_LABEL for text in labels)
    if lang != "en":
        assert labels != list(QUICK_COMMANDS)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_more_and_less_buttons_stay_on_one_line(lang: str) -> None:
    edition = make_edition(1, channel="line", language=lang)
    edition.briefs[0].topics = ["chips"]
    footer = render_line(edition, base_url=BASE)[0]["contents"]["contents"][0]["footer"]
    pair = [b["action"]["label"] for b in footer["contents"][1]["contents"]]

    assert pair == [label("more_short", lang), label("less_short", lang)]
    assert all(columns(text) <= HALF_FOOTER_COLUMNS for text in pair), pair
