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


def imports_of(top: str, packages: set[str]) -> set[str]:
    """Each ``file: module`` under ``top/`` that imports one of the top-level ``packages``."""
    return {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / top).rglob("*.py"))
        for name in imported(path)
        if name.split(".")[0] in packages
    }


def test_bots_never_import_workers() -> None:
    assert imports_of("bots", {"workers"}) == set()


def test_core_imports_neither_bots_nor_workers() -> None:
    # so a channel's renderer can only live in its package (tests/bots/test_channel_packages.py)
    assert imports_of("core", {"bots", "workers"}) == set()


# core/store/ stores what the domain computed: it may import itself and the plain data,
# settings and errors, nothing else of core/.
STORE_MAY_IMPORT = ("core.store", "core.models", "core.config", "core.errors")


def test_core_store_imports_no_domain_module() -> None:
    domain = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "core" / "store").rglob("*.py"))
        for name in imported(path)
        if name.startswith("core.") and not name.startswith(STORE_MAY_IMPORT)
    }
    assert domain == set()


# Redis is reached through the repositories in core/store/: outside it, these files still
# touch the client (``<store>.redis``), each with why.
RAW_REDIS_USERS = {
    # Bolt's InstallationStore/OAuthStateStore interfaces
    "bots/slack/install_store.py": "Slack Bolt installation store: a repository itself",
    # RQ takes the Redis connection itself (queues, workers, jobs, registries)
    "workers/queues.py": "RQ queues",
    "workers/cli/worker.py": "RQ workers and registries",
    "workers/jobs.py": "RQ jobs",
    "workers/fanout.py": "batches registered and queued in one RQ transaction",
    "workers/status.py": "RQ workers",
}


def _touches_redis(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.Attribute) and n.attr == "redis" for n in ast.walk(tree))


def test_redis_is_reached_through_core_store() -> None:
    users = {
        str(path.relative_to(ROOT))
        for top in ("core", "bots", "workers")
        for path in sorted((ROOT / top).rglob("*.py"))
        if not path.is_relative_to(ROOT / "core" / "store") and _touches_redis(path)
    }
    assert users == set(RAW_REDIS_USERS)


# A dry run is the same code handed a writer that only reads (core/editions/writes.py):
# no `if dry_run:` twin branches. The one left applies the plan: the CLI enqueues the
# batches the tick returned.
DRY_RUN_BRANCHES = {"workers/cli/schedule.py"}


def _branches_on_dry_run(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.If)
        and any(
            (isinstance(n, ast.Name) and n.id == "dry_run")
            or (isinstance(n, ast.Attribute) and n.attr == "dry_run")
            for n in ast.walk(node.test)
        )
        for node in ast.walk(tree)
    )


def test_no_dry_run_twin_branches() -> None:
    found = {
        str(path.relative_to(ROOT))
        for top in ("core", "bots", "workers")
        for path in sorted((ROOT / top).rglob("*.py"))
        if _branches_on_dry_run(path)
    }
    assert found == DRY_RUN_BRANCHES
