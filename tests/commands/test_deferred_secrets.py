"""Secrets are read for what contacts a store, not for commands that only use the hub."""

from __future__ import annotations

from pathlib import Path

import pytest

from flxd.config import load_config, parse_config
from flxd.config.secrets import UnresolvedSecret, require_secrets, unresolved_secrets
from flxd.errors import ConfigError
from flxd.plugin.manager import load_plugins
from tests.commands.cli import MEMORY_TOKEN, flxd, memory_config

HOST = load_plugins()
UNSET = {"SHOP1_TOKEN": MEMORY_TOKEN, "SHOP2_TOKEN": None}
TEXT = "[connections.shop1]\nchannel = 'memory'\ntoken_env = 'NOPE'\n"


def test_the_loader_defers_an_unset_secret_to_whoever_uses_it() -> None:
    with pytest.raises(ConfigError, match="environment variable NOPE is not set"):
        parse_config(TEXT, registries=HOST, environ={})
    config = parse_config(TEXT, registries=HOST, environ={}, defer_secrets=True)
    token = config.connections["shop1"].settings.token_env  # type: ignore[attr-defined]
    assert isinstance(token, UnresolvedSecret)
    with pytest.raises(ConfigError, match="environment variable NOPE is not set"):
        token.get_secret_value()  # never an empty credential
    assert [str(p) for p in unresolved_secrets(config)] == [
        "connections.shop1.token_env: environment variable NOPE is not set or empty"
    ]
    require_secrets(config, ["connections.shop2", "daemon"])
    with pytest.raises(ConfigError, match=r"connections\.shop1\.token_env"):
        require_secrets(config, ["connections.shop1"])
    assert config.secret_values() == []


def test_a_readable_by_others_secret_file_stays_an_error(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("x" * 20)
    secret.chmod(0o644)
    (tmp_path / "flxd.toml").write_text(
        f"[connections.shop1]\nchannel = 'memory'\ntoken_file = '{secret}'\n"
    )
    with pytest.raises(ConfigError, match="readable by group/others"):
        load_config(tmp_path / "flxd.toml", HOST, defer_secrets=True)


def test_hub_commands_work_without_a_connections_secret(tmp_path: Path) -> None:
    config = memory_config(tmp_path, connections={"shop1": "SHOP1_TOKEN", "shop2": "SHOP2_TOKEN"})
    feed = tmp_path / "feed.csv"
    feed.write_text("sku,price\nMUG-1,4.50\n")
    assert flxd(config, "listings", "upsert", str(feed), env=UNSET).code == 0
    for args in (
        ("status",),
        ("runs",),
        ("listings", "list"),
        ("listings", "show", "MUG-1"),
        ("listings", "export"),
        ("orders", "list"),
        ("orders", "export"),
    ):
        result = flxd(config, *args, env=UNSET)
        assert result.code == 0, (args, result)
        assert "SHOP2_TOKEN" not in result.err

    check = flxd(config, "check-config", env=UNSET)
    assert check.code == 0, check
    assert ": OK (2 connection(s)" in check.out and "1 warning(s)" in check.out
    assert (
        "  warning: connections.shop2.token_env: environment variable SHOP2_TOKEN is not set or "
        "empty: needed to run (flxd run) and to contact the store\n"
    ) in check.out


def test_what_contacts_a_store_asks_for_its_secrets_and_only_its_own(tmp_path: Path) -> None:
    config = memory_config(tmp_path, connections={"shop1": "SHOP1_TOKEN", "shop2": "SHOP2_TOKEN"})
    everything = flxd(config, "run", "--once", env=UNSET)
    assert everything.code == 2
    assert "connections.shop2.token_env: environment variable SHOP2_TOKEN is not set" in (
        everything.err
    )
    checked = flxd(config, "connections", "check", "shop2", env=UNSET)
    assert checked.code == 2 and "connections.shop2.token_env" in checked.err

    one = flxd(config, "run", "--once", "shop1", env=UNSET)
    assert one.code == 0, one
    assert "shop1       import_listings   ok" in one.out
    assert flxd(config, "connections", "check", "shop1", env=UNSET).code == 0
