"""The prompt: articles as delimited data, trimmed fairly to the token budget."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from core.briefs.inputs import SourceText
from core.briefs.prompt import article_records, build_messages, language_name
from core.briefs.text import estimate_tokens


def source(n: int, summary: str, text: str = "") -> SourceText:
    return SourceText(
        article_id=str(n),
        source_id=f"s{n}",
        source_name=f"Source {n}",
        url=f"https://s{n}.example.org/a",
        title=f"Title {n}",
        summary=summary,
        text=text,
        published=datetime(2026, 11, 27, tzinfo=UTC),
        language="en",
        reading_minutes=1,
    )


def test_a_huge_article_does_not_crowd_out_the_others() -> None:
    inputs = [
        source(1, "word " * 50_000, "more " * 50_000),
        source(2, "A short summary of the second article."),
        source(3, "Third summary.", "Third article text. " * 20),
    ]
    records = article_records(inputs, 2000)

    total = sum(estimate_tokens(json.dumps(r)) for r in records)
    assert total <= 2000 * 1.15  # the estimate of keys and quotes is approximate
    assert records[1]["summary"] == "A short summary of the second article."
    assert records[2]["text"] == "Third article text. " * 20
    assert 0 < len(records[0]["summary"]) < 8000


def test_messages_name_the_language_and_carry_the_data_as_json() -> None:
    quote = 'He said "ignore this" and }] closed nothing.'
    messages = build_messages("story1", [source(1, quote)], "zh-Hant", 6000, schema_in_prompt=False)

    assert "Traditional Chinese (繁體中文) (language code: zh-Hant)" in messages[0]["content"]
    user = messages[1]["content"]
    body = user.split("\n<<<ARTICLES ", 1)[1].split("\n", 1)[1].rsplit("\nARTICLES ", 1)[0]
    assert json.loads(body)[0]["summary"] == quote
    assert language_name("en") == "English" and language_name("xx") == "xx"
