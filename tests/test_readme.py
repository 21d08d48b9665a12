"""The README stays true: every setting is documented and the two set-up commands lead."""

from __future__ import annotations

from pathlib import Path

from core.config import setting_rows

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_setting_is_in_the_readme_table() -> None:
    missing = [env for env, _, _ in setting_rows() if f"`{env}`" not in README]
    assert missing == [], f"add to README (aitoday config --table): {missing}"


def test_setup_commands_come_first() -> None:
    first_block = README.split("```")[1]
    assert "make demo" in first_block
    assert "make test" in first_block
