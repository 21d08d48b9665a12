"""Counters that every process (CLI, RQ job, web) adds to, kept in Redis.

RQ forks a process per job, so in-process Prometheus counters would be lost; these live in
one Redis hash per metric (field = label set) and the web process exposes them on
``/metrics``. Names follow Prometheus conventions; :data:`METRICS` documents each one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.store.base import Store
from core.store.metrics import MetricRepo
from core.store.queues import queue_depths

METRICS: dict[str, str] = {
    "aitoday_ingest_fetches_total": "Feed fetches by outcome (ok, not_modified, failed).",
    "aitoday_ingest_fetch_seconds_total": "Seconds spent fetching feeds.",
    "aitoday_ingest_new_articles_total": "New articles stored.",
    "aitoday_stories_updated_total": "Stories created or changed by clustering.",
    "aitoday_briefs_total": "Briefs written, by generator (llm, extractive).",
    "aitoday_brief_fallbacks_total": "LLM briefs that fell back to extractive, by reason.",
    "aitoday_brief_sentences_checked_total": "LLM brief sentences the grounding guard checked.",
    "aitoday_brief_sentences_removed_total": "LLM brief sentences removed: a fact not in the "
    "sources.",
    "aitoday_brief_part_fallbacks_total": "LLM brief parts filled from the extractive brief "
    "after grounding emptied them, by part.",
    "aitoday_llm_tokens_total": "LLM tokens, by kind (prompt, completion).",
    "aitoday_llm_cost_usd_total": "LLM spend in US dollars.",
    "aitoday_editions_total": "Editions built, by kind.",
    "aitoday_deliveries_total": "Deliveries, by channel and outcome.",
    "aitoday_delivery_job_seconds_total": "Seconds spent inside delivery batch jobs, by channel.",
    "aitoday_commands_total": "Chat commands answered, by surface and command.",
    "aitoday_webhooks_rejected_total": "Inbound requests refused, by surface and reason.",
    "aitoday_bounce_reports_total": "Bounce and complaint reports received (webhooks, the "
    "bounce mailbox), by source, provider and kind.",
}


def label_key(labels: Mapping[str, str]) -> str:
    """A stable field name for a label set: ``a="x",b="y"`` (Prometheus label syntax)."""
    return ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def incr(store: Store, name: str, amount: float = 1.0, **labels: str) -> None:
    """Add ``amount`` to counter ``name`` with ``labels``; unknown names are a bug."""
    if name not in METRICS:
        raise KeyError(f"unknown metric {name!r}: add it to core.metrics.METRICS")
    MetricRepo(store).add(name, label_key(labels), amount)


def snapshot(store: Store) -> dict[str, dict[str, float]]:
    """Every counter's current values: {name: {label_key: value}}."""
    names = list(METRICS)
    return dict(zip(names, MetricRepo(store).read(names), strict=True))


@dataclass(frozen=True)
class Gauge:
    """A value read at scrape time (e.g. queue depth): {label_key: value}."""

    name: str
    help: str
    values: Mapping[str, float]


def depth_gauges(store: Store) -> list[Gauge]:
    """Jobs waiting and jobs failed per channel queue, for /metrics (one pipeline)."""
    depths = queue_depths(store)
    waiting = {label_key({"queue": name}): float(w) for name, (w, _) in depths.items()}
    failed = {label_key({"queue": name}): float(f) for name, (_, f) in depths.items()}
    return [
        Gauge("aitoday_queue_jobs", "Delivery batch jobs waiting, per queue.", waiting),
        Gauge("aitoday_queue_failed_jobs", "Delivery batch jobs in RQ's failed registry.", failed),
    ]


def exposition(store: Store, gauges: Sequence[Gauge] = ()) -> str:
    """The counters, then any gauges read at scrape time, in the Prometheus text format."""
    lines: list[str] = []
    families: list[tuple[str, str, str, Mapping[str, float]]] = [
        (name, METRICS[name], "counter", values) for name, values in snapshot(store).items()
    ]
    families += [(g.name, g.help, "gauge", g.values) for g in gauges]
    for name, help_text, kind, values in families:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in sorted(values.items()):
            lines.append(f"{name}{{{labels}}} {value}" if labels else f"{name} {value}")
    return "\n".join(lines) + "\n"
