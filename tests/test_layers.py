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
