"""The CLI's shared state: settings and the store, opened lazily, once per command."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import click

from core.config import Settings, load_settings
from core.ingest.sources import default_sources
from core.logs import setup_logging
from core.store.base import Store, open_store


@dataclass
class AppContext:
    """Holds what commands share; nothing is read before a command needs it."""

    service: bool = False  # a long-running process (web, worker, cron, run)
    _settings: Settings | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
            level = log_level(self._settings, service=self.service)
            setup_logging(level, json_lines=self._settings.log.json_)
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings, shipped_sources=default_sources)
        return self._store


class FullHelpGroup(click.Group):
    """A group whose ``--help`` lists each command's whole first paragraph, not 45 characters."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def log_level(settings: Settings, *, service: bool) -> str:
    """The configured level; for a one-shot command WARNING unless a level was set.

    INFO lines between a command's own output read as noise (and as errors to some).
    """
    log = settings.log
    if service or "level" in log.model_fields_set:
        return log.level
    configured = logging.getLevelNamesMapping().get(log.level.upper(), logging.INFO)
    return log.level if configured > logging.INFO else "WARNING"


pass_app = click.make_pass_decorator(AppContext)
