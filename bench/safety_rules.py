"""Safety rules benchmark: how many ordinary sentences the quoting rules refuse.

Issue 13 widened the rules (domains of any TLD, contact details, orders to the reader).
This counts, on the sentences of ../shared/corpus (feed items parsed by feedparser from
bytes, the article-extraction benchmark's bodies, the UCI news headlines), how many the
rules before issue 13 (``BEFORE``, read from git) and today's refuse, and prints every
sentence refused only by today's, with the rule it broke, to inspect by eye.

Run: ``.venv/bin/python -m bench.safety_rules`` (needs ../shared/corpus and git).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import feedparser

from core.briefs import text as today

BEFORE = "e6a9052~1"  # the last revision of core/briefs/text.py before issue 13
ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"

Sample = tuple[str, str]  # (sentence, the URL of the item it came from)


def old_rules() -> ModuleType:
    """core/briefs/text.py as it was before issue 13, imported from git."""
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:core/briefs/text.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_text.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("old_text", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def feed_sentences() -> Iterator[Sample]:
    for path in sorted((CORPUS / "feeds" / "latest").glob("*.xml")):
        for entry in feedparser.parse(path.read_bytes()).entries:
            parts = [entry.get("summary", "")]
            parts += [c.get("value", "") for c in entry.get("content", [])]
            for sentence in today.sentences(today.plain(" ".join(parts), 200_000)):
                yield sentence, entry.get("link", "")


def article_sentences() -> Iterator[Sample]:
    truth = json.loads((CORPUS / "articles" / "ground-truth-dev.json").read_text())
    for page in truth.values():
        for sentence in today.sentences(today.visible(page["articleBody"])):
            yield sentence, page["url"]


def headlines() -> Iterator[Sample]:
    with (CORPUS / "clusters" / "uci-news-stories-dev.csv").open(newline="") as rows:
        for row in csv.DictReader(rows):
            yield row["TITLE"], row["URL"]


def measure(
    name: str, samples: Iterator[Sample], old: Callable[[str], bool], new: Callable[..., bool]
) -> list[str]:
    """Print one table row; return the sentences refused only by today's rules."""
    total = old_refused = new_refused = 0
    new_only: list[str] = []
    for sentence, url in samples:
        if not 20 <= len(sentence) <= 400:
            continue
        total += 1
        was, now = not old(sentence), not new(sentence, sources=[url] if url else [])
        old_refused += was
        new_refused += now
        if now and not was:
            new_only.append(f"{today.hazards(sentence, [url])} {sentence[:200]}")
    print(f"| {name} | {total:,} | {old_refused} | {new_refused} | {len(new_only)} |")
    return new_only


def main() -> None:
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS} is absent")
    old = old_rules()
    print("| sentences of | count | refused before | refused now | only now |")
    print("| --- | ---: | ---: | ---: | ---: |")
    refused = measure("feed items (quotes)", feed_sentences(), old.is_quotable, today.is_quotable)
    refused += measure("article pages", article_sentences(), old.is_quotable, today.is_quotable)
    refused += measure("headlines (titles)", headlines(), old.is_harmless, today.is_harmless)
    print("\nRefused only now (each with the rules it breaks):")
    for line in refused:
        print("-", line)


if __name__ == "__main__":
    main()
