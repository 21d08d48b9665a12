"""The lazy command table matches what the modules register."""

from __future__ import annotations

import importlib
import pkgutil

import click

import workers.cli
from workers.cli import COMMANDS, cli


def test_command_table_matches_the_modules() -> None:
    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(workers.cli.__path__):
        if info.name.startswith("_"):
            continue  # __main__ runs the CLI when imported
        module = importlib.import_module(f"workers.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is None:
            continue
        group = click.Group()
        register(group)
        found.update({name: info.name for name in group.commands})
    assert found == COMMANDS


def test_every_command_loads_and_unknown_is_refused() -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        assert cli.get_command(ctx, name) is not None, name
    assert cli.get_command(ctx, "nonsense") is None
