"""deploy/slack-app-manifest.yaml matches what the app asks for and serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.slack.app import COMMAND, SCOPES

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack-app-manifest.yaml"


def test_manifest_matches_the_app() -> None:
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load(MANIFEST.read_text())
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(SCOPES)
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert command["url"].endswith("/slack/events")
    settings = manifest["settings"]
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert {"app_home_opened", "link_shared", "app_uninstalled", "tokens_revoked"} <= set(
        settings["event_subscriptions"]["bot_events"]
    )
    assert {"links:read", "links:write"} <= set(SCOPES)
    [domain] = manifest["features"]["unfurl_domains"]
    assert command["url"].startswith(f"https://{domain}/")  # the brief pages' host
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
