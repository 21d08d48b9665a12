"""What ``aitoday status`` shows, read from Redis only: queues, workers, cron, the last
ingest and failing sources, today's editions and deliveries, bounced and complained
addresses, and today's LLM spend."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, time, timedelta
from typing import Any

from rq import Worker

from core.models import utcnow
from core.store.base import Store
from core.store.cron import CronRepo

Report = dict[str, Any]


def collect(store: Store, now: datetime | None = None) -> Report:
    """Everything status shows, as plain data (``--json`` prints it as is)."""
    now = now or utcnow()
    return {
        "at": now.isoformat(),
        "queues": queues(store),
        "workers": workers(store),
        "cron": cron(store),
        "ingest": ingest(store),
        "today": today(store, now),
        "bounces": bounces(store),
        "llm": llm_spend(store, now),
    }


def queues(store: Store) -> list[dict[str, Any]]:
    """Each channel queue with its depth and its started, scheduled and failed jobs."""
    from workers.queues import all_queues

    return [
        {
            "name": q.name,
            "queued": q.count,
            "started": q.started_job_registry.count,
            "scheduled": q.scheduled_job_registry.count,
            "failed": q.failed_job_registry.count,
        }
        for q in all_queues(store)
    ]


def workers(store: Store) -> list[dict[str, Any]]:
    """RQ workers listening on any of our queues."""
    from core.store.queues import queue_names

    ours = set(queue_names(store).values())
    found = []
    for worker in Worker.all(connection=store.redis):
        names = worker.queue_names()
        if ours.intersection(names):
            found.append(
                {
                    "name": worker.name,
                    "state": worker.get_state(),
                    "queues": names,
                    "current_job": worker.get_current_job_id(),
                }
            )
    return sorted(found, key=lambda w: w["name"])


def cron(store: Store) -> dict[str, Any]:
    """Whether a cron holds the lock, and what each job did last."""
    from workers.cron import read_state

    return {
        "lock_held": CronRepo(store).lock_held(),
        "jobs": read_state(store),
    }


def ingest(store: Store) -> dict[str, Any]:
    """The last ingest report and every source that is failing or disabled."""
    from core.store.sources import SourceRepo

    repo = SourceRepo(store)
    raw = repo.last_run()
    sources = repo.all()
    states = repo.states([s.id for s in sources]) if sources else {}
    failing: list[dict[str, Any]] = []
    for source in sources:
        state = states.get(source.id)
        if not source.enabled:
            failing.append({"source": source.id, "disabled": source.disabled_reason or "yes"})
        elif state is not None and state.failures:
            failing.append(
                {"source": source.id, "failures": state.failures, "error": state.last_error}
            )
    return {
        "sources": len(sources),
        "enabled": sum(s.enabled for s in sources),
        "unverified": sum(not s.verified for s in sources),
        "last_run": json.loads(raw) if raw else None,
        "failing": failing,
    }


def today(store: Store, now: datetime) -> dict[str, Any]:
    """Today's (UTC) editions by channel and kind, and deliveries by channel and outcome."""
    from core.store.deliveries import DeliveryRepo
    from core.store.editions import EditionRepo

    start = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    editions = EditionRepo(store).between(start, start + timedelta(days=1))
    deliveries: dict[str, Counter[str]] = {}
    repo = DeliveryRepo(store)
    for edition in editions:
        for channel, counts in repo.status(edition.id).items():
            deliveries.setdefault(channel, Counter()).update(counts)
    return {
        "day": start.date().isoformat(),
        "editions": len(editions),
        "editions_by": dict(Counter(f"{e.channel}/{e.kind}" for e in editions)),
        "deliveries": {
            channel: {k: v for k, v in counts.items() if v}
            for channel, counts in deliveries.items()
        },
    }


def bounces(store: Store) -> dict[str, Any]:
    """E-mail addresses bounced or complained now, by source (smtp, webhook, dsn, manual),
    and the asynchronous reports received, by source and provider, then kind."""
    from core.store.bounces import BounceRepo

    repo = BounceRepo(store)
    return {"addresses": repo.addresses(), "received": repo.received()}


def llm_spend(store: Store, now: datetime) -> dict[str, Any]:
    """Today's LLM calls, tokens and cost, against the daily budget."""
    from core.store.briefs import BriefRepo

    spend = BriefRepo(store).spend(now.date().isoformat())
    return {
        "model": store.settings.llm.model or "extractive (no LLM)",
        "calls": spend.calls,
        "prompt_tokens": spend.prompt_tokens,
        "completion_tokens": spend.completion_tokens,
        "cost_usd": round(spend.cost_usd, 4),
        "budget_usd": store.settings.llm.daily_budget_usd,
        "fallbacks": spend.fallbacks,
    }


def lines(report: Report) -> list[str]:
    """The report for a terminal, one fact per line."""
    return [
        f"AIToday status at {report['at']}",
        *_process_lines(report),
        *_cron_lines(report["cron"]),
        *_ingest_lines(report["ingest"]),
        *_today_lines(report["today"]),
        *bounce_lines(report.get("bounces")),
        *_llm_lines(report["llm"]),
    ]


def _process_lines(report: Report) -> list[str]:
    out = ["", "queues"]
    for q in report["queues"]:
        out.append(
            f"  {q['name']:<24} queued {q['queued']:>6}  running {q['started']:>4}  "
            f"scheduled {q['scheduled']:>4}  failed {q['failed']:>4}"
        )
    out += ["", f"workers ({len(report['workers'])})"]
    for w in report["workers"]:
        job = f"  job {w['current_job']}" if w["current_job"] else ""
        out.append(f"  {w['name']:<40} {w['state']}{job}")
    return out


def _cron_lines(info: dict[str, Any]) -> list[str]:
    out = ["", "cron " + ("(running: lock held)" if info["lock_held"] else "(not running)")]
    for name, job in sorted(info["jobs"].items()):
        result = job.get("last_error") or json.dumps(job.get("last_result"), ensure_ascii=False)
        out.append(f"  {name:<8} last {job.get('last_at', 'never')}  {result}")
    return out


def _today_lines(day: dict[str, Any]) -> list[str]:
    out = ["", f"today ({day['day']} UTC): {day['editions']} editions"]
    for key, count in sorted(day["editions_by"].items()):
        out.append(f"  {key:<18} {count}")
    for channel, counts in sorted(day["deliveries"].items()):
        parts = "  ".join(f"{k} {v}" for k, v in counts.items())
        out.append(f"  deliveries {channel:<6} {parts}")
    return out


def bounce_lines(info: dict[str, Any] | None) -> list[str]:
    """Bounced and complained addresses by source, then the reports received."""
    if info is None:
        return []
    out = ["", "e-mail addresses stopped"]
    for status in ("bounced", "complained"):
        by_source = info["addresses"].get(status, {})
        parts = ", ".join(f"{source} {n}" for source, n in sorted(by_source.items()))
        out.append(f"  {status:<10} {sum(by_source.values())}" + (f"  ({parts})" if parts else ""))
    for origin, kinds in sorted(info["received"].items()):
        parts = "  ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
        out.append(f"  reports {origin:<16} {parts}")
    return out


def _llm_lines(llm: dict[str, Any]) -> list[str]:
    return [
        "",
        f"LLM today: {llm['model']}  calls {llm['calls']}  "
        f"tokens {llm['prompt_tokens']}+{llm['completion_tokens']}  "
        f"${llm['cost_usd']:.4f} of ${llm['budget_usd']:.2f}  fallbacks {llm['fallbacks']}",
    ]


def _ingest_lines(info: dict[str, Any]) -> list[str]:
    out = [
        "",
        f"sources: {info['sources']} ({info['enabled']} enabled, {info['unverified']} unverified)",
    ]
    last = info["last_run"]
    if last:
        out.append(
            f"  last ingest {last.get('finished_at')}: fetched {last.get('fetched')}, "
            f"not modified {last.get('not_modified')}, failed {len(last.get('failed', []))}, "
            f"new articles {last.get('new_articles')}"
        )
    else:
        out.append("  no ingest yet")
    for f in info["failing"][:20]:
        why = f"disabled: {f['disabled']}" if "disabled" in f else f"{f['failures']}x {f['error']}"
        out.append(f"  failing {f['source']}: {why}")
    if len(info["failing"]) > 20:
        out.append(f"  ... and {len(info['failing']) - 20} more")
    return out
