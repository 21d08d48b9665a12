"""The CLI's shared state: settings and the store, opened lazily, once per command."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from core.config import Settings, load_settings
from core.logs import setup_logging
from core.store.base import Store, open_store


@dataclass
class AppContext:
    """Holds what commands share; nothing is read before a command needs it."""

    _settings: Settings | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
            setup_logging(self._settings.log.level, json_lines=self._settings.log.json_)
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store


pass_app = click.make_pass_decorator(AppContext)
