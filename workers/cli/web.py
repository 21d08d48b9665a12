"""``aitoday web``: the one small web process (Slack, LINE, sign-up pages, brief page)."""

from __future__ import annotations

import click

from core.config import Settings
from core.ingest.sources import default_sources
from core.store.base import Store, open_store
from workers.cli.context import AppContext, pass_app


@click.command("web")
@click.option("--host", default=None, help="Listen address (default: AITODAY_WEB__HOST).")
@click.option("--port", type=int, default=None, help="Port (default: AITODAY_WEB__PORT).")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes.")
@click.option(
    "--demo",
    is_flag=True,
    help="Serve what `aitoday demo` left (its data dir and key prefix), so its links work.",
)
@pass_app
def web_command(
    app: AppContext, host: str | None, port: int | None, workers: int, demo: bool
) -> None:
    """Serve the web app with uvicorn (X-Forwarded-* only from AITODAY_WEB__TRUSTED_PROXIES).

    With --demo it serves the data `aitoday demo` wrote (``make web`` runs this): the brief
    pages, preferences and unsubscribe links in the demo's messages then answer.
    """
    import uvicorn

    from bots.web import create_app, server_options

    settings, store = app.settings, None
    if demo:
        if workers > 1:
            raise click.UsageError("--demo serves one process; drop --workers")
        settings, store = _demo_store()
    # Several processes cannot share one app object: each builds its own from the env.
    target = "bots.web:app_from_env" if workers > 1 else create_app(settings, store or app.store)
    uvicorn.run(
        target,
        factory=workers > 1,
        host=host or settings.web.host,
        port=port or settings.web.port,
        workers=workers if workers > 1 else None,
        **server_options(settings),
        log_level=settings.log.level.lower(),
        access_log=False,
    )


def _demo_store() -> tuple[Settings, Store]:
    from workers.demo.flow import demo_settings

    settings = demo_settings()
    return settings, open_store(settings, shipped_sources=default_sources)


def register(cli: click.Group) -> None:
    cli.add_command(web_command)
