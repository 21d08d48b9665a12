"""requirements.lock pins what pyproject.toml asks for, and is what these tests run on.

`make install` installs the lock (with hashes), then the project itself without
dependencies: a fresh clone gets exactly the versions `make test` passed with. A new or
changed requirement in pyproject.toml without `make lock` fails here, and so does a
virtualenv that drifted from the lock.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def locked() -> dict[str, tuple[str, Marker | None]]:
    """name -> (version, marker) for every pin in the lock."""
    pins: dict[str, tuple[str, Marker | None]] = {}
    for line in LOCK.read_text().splitlines():
        match = PIN.match(line)
        if match:
            name, version, marker = match.groups()
            pins[canonicalize_name(name)] = (version, Marker(marker) if marker else None)
    return pins


def required() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {}).get("dev", [])
    return [Requirement(spec) for spec in [*project["dependencies"], *extras]]


def test_every_requirement_is_pinned_within_its_range() -> None:
    pins = locked()
    missing, outside = [], []
    for req in required():
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        if name not in pins:
            missing.append(req.name)
        elif not req.specifier.contains(pins[name][0], prereleases=True):
            outside.append(f"{req.name}=={pins[name][0]} (wants {req.specifier})")
    assert not missing and not outside, f"run `make lock`: missing {missing}, outside {outside}"


def test_every_pin_has_hashes() -> None:
    text = LOCK.read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    unhashed = [b.split("=", 1)[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
    assert unhashed == []


def test_the_installed_versions_are_the_locked_ones() -> None:
    drifted = []
    for name, (version, marker) in locked().items():
        if marker is not None and not marker.evaluate():
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            drifted.append(f"{name}: not installed (locked {version})")
            continue
        if installed != version:
            drifted.append(f"{name}: {installed} installed, {version} locked")
    assert drifted == [], "run `make install` (or `make lock` if pyproject changed): " + "; ".join(
        drifted
    )
