"""Rendering and channel adapters: cost per variant, per recipient, and per request.

Measures, against baselines run in the same process:
- render once per variant (e-mail, Slack, LINE) for a 5-story edition;
- rendered sizes against the channel's limit: the 5-story edition and the maximal digest
  (tests/bots/maximal.py: 20 Japanese stories at the brief guard's maximum lengths), and
  what the size budget left of the maximal one;
- per-recipient e-mail composition: the per-variant template + string replace + base64
  used by EmailAdapter, against building each message with the stdlib ``email`` package;
- sending through each adapter to its local sink (aiosmtpd; the fake Slack and LINE APIs,
  no artificial latency): one SMTP connection per batch against one per message, and
  LINE multicast (500 ids a request) against one push per user.

Run: ``.venv/bin/python -m bench.render``.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime
from functools import partial
from pathlib import Path
from typing import Any

N_COMPOSE = 3000
N_EMAIL = 1000
N_LINE = 2000
N_SLACK = 300


def _timed(fn: Callable[[], Any], repeat: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat


def _settings(tmp: Path, **groups: Any) -> Any:
    from core.config import load_settings

    return load_settings(
        data_dir=tmp / "data",
        secret_key=secrets.token_urlsafe(32),  # config refuses short or placeholder keys
        digest={"outbox_dir": tmp / "outbox"},
        **groups,
    )


def _stdlib_message(payload: Any, recipient: Any, settings: Any) -> bytes:
    html, text = payload.personalize(
        unsubscribe_url="https://x/unsubscribe/t", preferences_url="https://x/preferences/p"
    )
    msg = EmailMessage()
    msg["From"] = settings.smtp.from_
    msg["To"] = recipient.address
    msg["Subject"] = payload.subject
    msg["Date"] = format_datetime(time_now())
    msg["Message-ID"] = f"<{payload.edition_id}.{recipient.subscriber_id}@aitoday.localhost>"
    msg["List-Unsubscribe"] = "<https://x/unsubscribe/t>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


def time_now() -> Any:
    from core.models import utcnow

    return utcnow()


def render_rows(rows: list[tuple[str, str, str, str]]) -> None:
    from bots.email.render import render_email
    from bots.line.render import render_line
    from bots.slack.render import render_slack
    from tests.render.editions import make_edition

    edition = make_edition(5)
    base = "https://aitoday.example.org"
    email_ms = _timed(lambda: render_email(edition, base_url=base), 200) * 1000
    slack_ms = _timed(lambda: render_slack(edition, base_url=base), 200) * 1000
    line_ms = _timed(lambda: render_line(edition, base_url=base), 200) * 1000
    rows.append(("render e-mail, 5 stories", f"{email_ms:.2f} ms/variant", "", ""))
    rows.append(("render Slack blocks", f"{slack_ms:.2f} ms/variant", "", ""))
    rows.append(("render LINE flex", f"{line_ms:.2f} ms/variant", "", ""))


def size_rows(rows: list[tuple[str, str, str, str]]) -> None:
    import json
    from collections import Counter

    from bots.email import render as email_render
    from bots.line.render import MAX_FLEX_BYTES, flex_size, render_line
    from core.render.common import story_views
    from tests.bots.maximal import maximal_edition
    from tests.render.editions import make_edition

    base = "https://aitoday.example.org"
    for name, email_ed, line_ed in (
        ("5 stories", make_edition(5), make_edition(5, channel="line")),
        ("maximal", maximal_edition("email"), maximal_edition("line")),
    ):
        payload = email_render.render_email(email_ed, base_url=base)
        views = story_views(email_ed, base_url=base)
        room = email_render.MAX_HTML_BYTES - len(
            email_render._html(email_ed, views, [], payload.subject).encode()
        )
        cards, omitted = email_render._fit(views, email_ed.language, room)
        forms = Counter(c.form for c in cards)
        shown = ", ".join(f"{n} {form}" for form, n in forms.items())
        ms = _timed(partial(email_render.render_email, email_ed, base_url=base), 10) * 1000
        rows.append(
            (
                f"e-mail HTML, {name}",
                f"{len(payload.html.encode()):,} B ({shown}; {len(omitted)} left out), {ms:.1f} ms",
                f"limit {email_render.MAX_HTML_BYTES:,} B",
                "",
            )
        )
        messages = render_line(line_ed, base_url=base)
        bubbles = [m["contents"].get("contents", []) for m in messages]
        heroes = sum("hero" in b for group in bubbles for b in group)
        sizes = "+".join(f"{flex_size(m['contents']):,}" for m in messages)
        ms = _timed(partial(render_line, line_ed, base_url=base), 10) * 1000
        rows.append(
            (
                f"LINE flex, {name}",
                f"{sizes} B ({'+'.join(str(len(g)) for g in bubbles)} bubbles, "
                f"{heroes} images), {ms:.1f} ms",
                f"limit {MAX_FLEX_BYTES:,} B a message",
                "",
            )
        )
        assert json.dumps(messages)  # JSON-ready


def compose_rows(rows: list[tuple[str, str, str, str]], tmp: Path) -> None:
    from bots.email.compose import MailTemplate
    from bots.email.render import render_email
    from core.models import Recipient, utcnow
    from tests.render.editions import make_edition

    settings = _settings(tmp)
    payload = render_email(make_edition(5), base_url="https://aitoday.example.org")
    template = MailTemplate.build(payload, settings, settings.signing_key())
    people = [Recipient(subscriber_id=f"s{i}", address=f"r{i}@example.org") for i in range(100)]
    now = utcnow()
    ours = _timed(lambda: [template.compose(p, now) for p in people], N_COMPOSE // 100) / 100
    stdlib = _timed(
        lambda: [_stdlib_message(payload, p, settings) for p in people], N_COMPOSE // 100
    )
    stdlib /= 100
    rows.append(
        (
            "compose one e-mail",
            f"{ours * 1e6:.0f} µs",
            f"{stdlib * 1e6:.0f} µs (stdlib email)",
            f"{stdlib / ours:.1f}x",
        )
    )


async def _email_send(settings: Any, n: int) -> float:
    from bots.email.adapter import EmailAdapter
    from core.models import Recipient
    from tests.render.editions import make_edition

    adapter = EmailAdapter(settings)
    payload = adapter.render(make_edition(5))
    people = [Recipient(subscriber_id=f"s{i}", address=f"r{i}@example.org") for i in range(n)]
    started = time.perf_counter()
    await adapter.send(payload, people)
    return time.perf_counter() - started


async def _email_one_per_connection(settings: Any, n: int) -> float:
    from bots.email.adapter import EmailAdapter
    from core.models import Recipient
    from tests.render.editions import make_edition

    adapter = EmailAdapter(settings)
    payload = adapter.render(make_edition(5))
    started = time.perf_counter()
    for i in range(n):
        await adapter.send(payload, [Recipient(subscriber_id=f"s{i}", address=f"r{i}@x.org")])
    return time.perf_counter() - started


def email_rows(rows: list[tuple[str, str, str, str]], tmp: Path) -> None:
    from tests.fakes.smtp import FakeSMTP

    with FakeSMTP(keep_bodies=False).running() as smtp:
        settings = _settings(tmp, smtp={"host": smtp.host, "port": smtp.port, "starttls": False})
        batch = asyncio.run(_email_send(settings, N_EMAIL))
        single = asyncio.run(_email_one_per_connection(settings, N_EMAIL // 5))
        single *= 5
    rows.append(
        (
            f"e-mail to aiosmtpd, {N_EMAIL:,} recipients",
            f"{N_EMAIL / batch:,.0f} msg/s (1 connection)",
            f"{N_EMAIL / single:,.0f} msg/s (1 per message)",
            f"{single / batch:.1f}x",
        )
    )


async def _line_send(settings: Any, n: int, *, push_each: bool) -> float:
    from bots.line.adapter import LineAdapter
    from core.models import Recipient
    from tests.fakes.line_api import user_id
    from tests.render.editions import make_edition

    adapter = LineAdapter(settings)
    payload = adapter.render(make_edition(5, channel="line"))
    people = [Recipient(subscriber_id=f"s{i}", address=user_id(i)) for i in range(n)]
    started = time.perf_counter()
    if push_each:
        # the baseline: one request per user (what a per-recipient job would do)
        for person in people:
            await adapter.send(payload, [person])
    else:
        await adapter.send(payload, people)
    return time.perf_counter() - started


def line_rows(rows: list[tuple[str, str, str, str]], tmp: Path) -> None:
    import math

    from tests.fakes.line_api import FakeLine

    line = FakeLine()
    with line.running() as host:
        settings = _settings(
            tmp, line={"api_base": host, "channel_access_token": "line-test-token"}
        )
        multicast = asyncio.run(_line_send(settings, N_LINE, push_each=False))
        requests = len(line.calls_to("multicast"))
        line.reset()
        each = asyncio.run(_line_send(settings, N_LINE // 10, push_each=True)) * 10
    rows.append(
        (
            f"LINE to the fake API, {N_LINE:,} users",
            f"{N_LINE / multicast:,.0f} users/s ({requests} requests)",
            f"{N_LINE / each:,.0f} users/s (1 request each)",
            f"{each / multicast:.0f}x",
        )
    )
    assert requests == math.ceil(N_LINE / 500), requests


def slack_rows(rows: list[tuple[str, str, str, str]], tmp: Path) -> None:
    from bots.slack.adapter import SlackAdapter
    from core.models import Recipient
    from tests.fakes.slack_api import FakeSlack
    from tests.render.editions import make_edition

    slack = FakeSlack({"xoxb-bench": "TB"}, keep_bodies=False)
    with slack.running() as base:
        settings = _settings(tmp, slack={"api_base": base + "", "bot_token": "xoxb-bench"})
        adapter = SlackAdapter(settings)
        payload = adapter.render(make_edition(5, channel="slack"))
        people = [Recipient(subscriber_id=f"s{i}", address=f"TB/C{i}") for i in range(N_SLACK)]

        async def run(concurrency: int) -> float:
            adapter.concurrency = concurrency
            started = time.perf_counter()
            await adapter.send(payload, people)
            return time.perf_counter() - started

        parallel = asyncio.run(run(8))
        serial = asyncio.run(run(1))
    # a digest is one message and a thread of 5 replies, 1 s apart per channel: the pace,
    # not the requests in flight, sets the time (about 5 s for any number of channels)
    rows.append(
        (
            f"Slack to the fake API, {N_SLACK} channels x {len(payload.messages)} messages",
            f"{N_SLACK / parallel:,.0f} digests/s (8 in flight)",
            f"{N_SLACK / serial:,.0f} digests/s (1 in flight)",
            f"{serial / parallel:.1f}x",
        )
    )


def main() -> None:
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        render_rows(rows)
        size_rows(rows)
        compose_rows(rows, tmp)
        email_rows(rows, tmp)
        line_rows(rows, tmp)
        slack_rows(rows, tmp)
    header = ("measure", "AIToday", "baseline (same run)", "ratio")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
