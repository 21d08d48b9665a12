"""``make bench``: run every benchmark module in bench/ (or the ones named on the command
line: ``python -m bench ingest stories``), each in its own process so one's memory and
imports do not skew another's."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def modules() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules([str(HERE)]) if not m.name.startswith("_")]
    return sorted(names)


def main(argv: list[str]) -> int:
    chosen = argv or modules()
    unknown = sorted(set(chosen) - set(modules()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(modules())}")
        return 2
    failed = []
    for name in chosen:
        print(f"\n=== bench.{name} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-c", f"import bench.{name} as b; b.main()"])
        print(f"--- bench.{name}: exit {code} in {time.perf_counter() - started:.1f} s")
        if code:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
