"""One event told in English, Japanese and Chinese is one story; anchors (names in Latin
script, numbers, amounts in one unit) decide across scripts, never looser wording."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.stories.cluster import Doc, cluster_all
from core.stories.text import anchors, script_of, words

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DATA = Path(__file__).parent / "data" / "crosslang.jsonl"


def doc(i: str, title: str, hours: float = 0.0) -> Doc:
    return Doc(
        id=i,
        title=title,
        url=f"https://src{i}.example/{i}",
        source=f"src{i}",
        published=T0 + timedelta(hours=hours),
    )


def test_chinese_and_japanese_runs_are_cut_from_latin_names_into_pairs() -> None:
    assert words("OpenAIが400億ドルを調達") == [
        "OpenAI", "が", "400", "億ド", "ドル", "ルを", "を調", "調達"]  # fmt: skip
    assert words("阿里巴巴发布Qwen3-Max，参数") == ["阿里", "里巴", "巴巴", "巴发", "发布",
                                                "Qwen3", "Max", "参数"]  # fmt: skip
    assert words("Windsurf 1.2.4 ships") == ["Windsurf", "1.2.4", "ships"]


def test_amounts_meet_in_one_unit_across_languages() -> None:
    en = anchors("OpenAI raises $40 billion at a $300bn valuation")
    ja = anchors("OpenAI、400億ドルを調達 評価額3000億ドル")
    zh = anchors("OpenAI完成400亿美元融资")
    assert "openai" in en[0] & ja[0] & zh[0]
    assert "=4e+10" in en[1] & ja[1] & zh[1]
    assert "=3e+11" in en[1] & ja[1]
    assert anchors("Qwen3-Max tops 1万亿 parameters")[1] >= {"=1e+12"}
    assert [script_of(t) for t in ("Claude 5", "Claude 5を公開", "发布Claude 5")] == [
        "latin", "ja", "zh"]  # fmt: skip


def test_one_event_in_three_languages_is_one_story_and_another_stays_apart() -> None:
    docs = [
        doc("en", "Anthropic raises $13 billion Series F at $183 billion valuation"),
        doc("ja", "Anthropic、シリーズFで130億ドル調達 評価額1830億ドル", 1),
        doc("zh", "Anthropic完成130亿美元F轮融资，估值1830亿美元", 2),
        doc("other-en", "Amazon invests another $4 billion in Anthropic", 1),
        doc("other-ja", "Amazon、Anthropicに40億ドルを追加出資", 2),
        doc("third", "Nvidia unveils Vera Rubin GPU platform at GTC", 1),
    ]
    result = dict(cluster_all(docs, window_hours=72))
    assert result["en"] == result["ja"] == result["zh"]
    assert result["other-en"] == result["other-ja"]
    assert len({result["en"], result["other-en"], result["third"]}) == 3


def test_a_shared_company_name_alone_does_not_join_across_languages() -> None:
    docs = [
        doc("a", "Anthropic releases Claude Opus 4.5, cutting prices by two thirds"),
        doc("b", "Anthropic、東京にアジア初の拠点を開設", 1),
    ]
    result = dict(cluster_all(docs, window_hours=72))
    assert result["a"] != result["b"]


def test_the_labelled_set_has_30_events_in_two_or_three_languages() -> None:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    languages: dict[str, set[str]] = {}
    for row in rows:
        assert {"id", "title", "url", "source", "published", "story"} <= set(row)
        languages.setdefault(row["story"], set()).add(row["language"])
    assert len(languages) >= 30
    assert all(len(langs) >= 2 for langs in languages.values())
