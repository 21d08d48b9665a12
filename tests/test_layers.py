"""The direction of imports: bots/ are the edges, workers/ run things above them.

bots/ never import workers/ (the web process must not pull in the job runners), so
whatever both need (queue names, metrics) lives in core/.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported(path: Path) -> set[str]:
    """Every absolute module name a file imports, at any depth (inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_bots_never_import_workers() -> None:
    upward = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "bots").rglob("*.py"))
        for name in imported(path)
        if name.split(".")[0] == "workers"
    }
    assert upward == set()


# core/store/ stores what the domain computed: it may import itself and the plain data,
# settings and errors, nothing else of core/.
STORE_MAY_IMPORT = ("core.store", "core.models", "core.config", "core.errors")
# Domain imports core/store/ still makes, each with why it stays for now.
STORE_DOMAIN_IMPORTS = {
    # the due index is scored by the next slot in the same transaction as the write;
    # inverting it means every SubscriberRepo(...) (over a hundred) is handed the schedule
    "core/store/subscribers.py: core.editions.schedule",
    # the bounce index is keyed by which path set the status, read from its reason
    "core/store/subscribers.py: core.bounces.events",
    # the atomic insert takes the dedupe digests and returns the dedupe outcome
    "core/store/articles.py: core.ingest.dedupe",
    # a source's fetch state is stored field by field (FetchState.from_redis / to_redis)
    "core/store/sources.py: core.ingest.state",
    # the shipped source list is read on first use (seed_defaults)
    "core/store/sources.py: core.ingest.sources",
    # story search matches the words the way personalisation normalises them
    "core/store/stories.py: core.stories.personalize",
}


def test_core_store_imports_no_domain_module() -> None:
    domain = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "core" / "store").rglob("*.py"))
        for name in imported(path)
        if name.startswith("core.") and not name.startswith(STORE_MAY_IMPORT)
    }
    assert domain == STORE_DOMAIN_IMPORTS
