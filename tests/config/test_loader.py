"""Config validation: every problem reported with its key path, secrets handled safely."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flxd.config import find_config, load_config, parse_config, parse_duration
from flxd.errors import ConfigError
from flxd.plugin.manager import load_plugins

HOST = load_plugins()
ENV = {"MEM_TOKEN": "s3cret-token-value"}

GOOD = """
[daemon]
state_dir = "var"
grace_period = "45s"

[logging]
level = "debug"

[connections.shop1]
channel = "memory"
token_env = "MEM_TOKEN"

[connections.shop1.get_orders]
enabled = true
interval = "2m"
statuses = ["pending", "awaiting_fulfillment"]

[sinks.events]
type = "jsonl"
path = "events.jsonl"
"""


def problems(text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(
            text,
            registries=HOST,
            base_dir=Path("/srv/flxd"),
            environ=ENV if environ is None else environ,
        )
    return [str(p) for p in caught.value.problems]


def test_a_good_file_parses_with_defaults_and_relative_paths() -> None:
    config = parse_config(GOOD, registries=HOST, base_dir=Path("/srv/flxd"), environ=ENV)
    assert config.daemon.state_dir == Path("/srv/flxd/var")
    assert config.daemon.grace_period == 45
    assert config.database_url == "sqlite:////srv/flxd/var/flxd.db"
    conn = config.connections["shop1"]
    assert conn.channel == "memory"
    assert conn.operations[conn.enabled_operations()[0]].interval == 120
    assert conn.settings.token == "s3cret-token-value"  # type: ignore[attr-defined]
    assert config.sinks["events"].settings.path == Path("/srv/flxd/events.jsonl")  # type: ignore[attr-defined]
    assert "s3cret-token-value" in config.secret_values()


# Each invalid file, and the exact problem line it must produce.
INVALID = [
    ("[daemon\n", "not valid TOML: Expected ']' at the end of a table declaration (at line 1"),
    ("[deamon]\n", "deamon: unknown section (did you mean 'daemon'?)"),
    ("[daemon]\nstate_dri = 'x'\n", "daemon.state_dri: unknown key (did you mean 'state_dir'?)"),
    (
        "[daemon]\ngrace_period = '30 seconds'\n",
        "daemon.grace_period: '30 seconds' is not a duration",
    ),
    ("[daemon]\ngrace_period = -5\n", "daemon.grace_period: a duration cannot be negative"),
    ("[daemon]\ndatabase = 'mysql://x'\n", "daemon.database: 'mysql://x': expected sqlite:///PATH"),
    ("[daemon]\nmax_concurrent_runs = 0\n", "daemon.max_concurrent_runs: Input should be greater"),
    ("[admin]\nlisten = 'localhost'\n", "admin.listen: 'localhost': expected HOST:PORT"),
    ("[logging]\nlevel = 'loud'\n", "logging.level: Input should be 'debug', 'info'"),
    (
        "[connections.shop1]\ntoken_env = 'MEM_TOKEN'\n",
        "connections.shop1.channel: missing or not a string",
    ),
    (
        "[connections.shop1]\nchannel = 'memroy'\n",
        "connections.shop1.channel: unknown channel 'memroy' (did you mean 'memory'?)",
    ),
    (
        "[connections.shop1]\nchannel = 'memory'\ntoken_env = 'NOPE'\n",
        "connections.shop1.token_env: environment variable NOPE is not set or empty",
    ),
    (
        "[connections.shop1]\nchannel = 'memory'\n",
        "connections.shop1: missing secret: set token_env or token_file",
    ),
    (
        "[connections.shop1]\nchannel = 'memory'\ntoken_env = 'MEM_TOKEN'\n"
        "[connections.shop1.get_orders]\nstatuses = ['pending', 'shipped', 'shiped']\n",
        "connections.shop1.get_orders.statuses[2]: unknown status 'shiped'",
    ),
    (
        "[connections.shop1]\nchannel = 'memory'\ntoken_env = 'MEM_TOKEN'\n"
        "[connections.shop1.get_orders]\nintervall = '5m'\n",
        "connections.shop1.get_orders.intervall: unknown key (did you mean 'interval'?)",
    ),
    (
        "[connections.shop1]\nchannel = 'memory'\ntoken_env = 'MEM_TOKEN'\n"
        "[connections.shop1.sync_listings]\ninterval = 0.5\n",
        "connections.shop1.sync_listings.interval: interval must be at least 1 second",
    ),
    (
        "[connections.shop1]\nchannel = 'memory'\ntoken_env = 'MEM_TOKEN'\nmax_concurrency = 100\n",
        "connections.shop1.max_concurrency: Input should be less than or equal to 64",
    ),
    ("[connections.'shop 1']\nchannel = 'memory'\n", "connections.shop 1: bad name"),
    ("[sinks.out]\ntype = 'kafka'\n", "sinks.out.type: unknown type 'kafka'"),
    ("[sinks.out]\ntype = 'jsonl'\n", "sinks.out.path: missing required key"),
    ("connections = 5\n", "connections: expected a table"),
    (
        "[sinks.out]\ntype = 'jsonl'\npath = \"events\\u0000.jsonl\"\n",
        "sinks.out.path: contains a NUL character",
    ),
]


@pytest.mark.parametrize(("text", "expected"), INVALID, ids=[e for _, e in INVALID])
def test_each_invalid_file_names_the_place(text: str, expected: str) -> None:
    found = problems(text)
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = """
[daemon]
grace_period = "soon"
[logging]
level = "loud"
[connections.a]
channel = "memory"
token_env = "MEM_TOKEN"
colour = "blue"
[connections.a.get_orders]
statuses = ["nope"]
[connections.b]
channel = "nope"
"""
    found = problems(text)
    paths = [p.split(":")[0] for p in found]
    assert paths == [
        "daemon.grace_period",
        "logging.level",
        "connections.a.get_orders.statuses[0]",
        "connections.a.colour",
        "connections.b.channel",
    ]


def test_an_unknown_channel_does_not_hide_the_rest_of_its_table() -> None:
    likely = problems(
        "[connections.a]\nchannel = 'memroy'\ntoken_env = 'MEM_TOKEN'\npage_size = 0\n"
        "[connections.a.get_orders]\nintervall = '5m'\nstatuses = ['shiped']\n"
    )
    assert likely == [
        "connections.a.channel: unknown channel 'memroy' (did you mean 'memory'?)",
        "connections.a.get_orders.statuses[0]: unknown status 'shiped'",
        "connections.a.get_orders.intervall: unknown key (did you mean 'interval'?)",
        "connections.a.page_size: Input should be greater than or equal to 1 (got 0)",
    ]
    unknown = problems(
        "[connections.a]\nchannel = 'kafka'\nmax_concurrency = 0\nstore_url = 'x'\n"
        "[connections.a.get_orders]\ninterval = 'soon'\n[connections.a.get_ordres]\n"
    )
    assert [p.split(":")[0] for p in unknown] == [
        "connections.a.channel",
        "connections.a.get_orders.interval",
        "connections.a.max_concurrency",
    ]


def test_secret_file_must_not_be_readable_by_others(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("file-token\n")
    secret.chmod(0o644)
    text = f"[connections.s]\nchannel = 'memory'\ntoken_file = '{secret}'\n"
    [problem] = problems(text)
    assert problem == (
        f"connections.s.token_file: {secret} is readable by group/others (mode 0644); "
        f"run: chmod 600 {secret}"
    )
    secret.chmod(0o600)
    config = parse_config(text, registries=HOST, environ={})
    assert config.connections["s"].settings.token == "file-token"  # type: ignore[attr-defined]


def test_secret_from_both_sources_is_ambiguous(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("x" * 10)
    secret.chmod(0o600)
    text = f"[connections.s]\nchannel='memory'\ntoken_env='MEM_TOKEN'\ntoken_file='{secret}'\n"
    assert problems(text) == ["connections.s: set only one of token_env and token_file"]


def test_secrets_never_appear_in_error_messages() -> None:
    text = "[connections.s]\nchannel = 'memory'\ntoken_env = 'MEM_TOKEN'\nmax_concurrency = 'x'\n"
    assert all("s3cret" not in p for p in problems(text))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (30, 30.0),
        ("30s", 30.0),
        ("5m", 300.0),
        ("1h30m", 5400.0),
        ("2d", 172800.0),
        ("250ms", 0.25),
        (1.5, 1.5),
    ],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_config_location_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flxd.toml").write_text("")
    assert find_config("explicit.toml", {"FLXD_CONFIG": "env.toml"}) == Path("explicit.toml")
    assert find_config(None, {"FLXD_CONFIG": "env.toml"}) == Path("env.toml")
    assert find_config(None, {}) == Path("flxd.toml")
    (tmp_path / "flxd.toml").unlink()
    with pytest.raises(ConfigError, match="no config file"):
        find_config(None, {})


def test_load_config_resolves_paths_against_the_file(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    path = tmp_path / "etc" / "flxd.toml"
    path.write_text("[daemon]\nstate_dir = 'state'\ndatabase = 'sqlite:///data/hub.db'\n")
    config = load_config(path, HOST, environ={})
    assert config.daemon.state_dir == tmp_path / "etc" / "state"
    assert config.database_url == f"sqlite:///{tmp_path / 'etc' / 'data' / 'hub.db'}"


def test_check_config_prints_every_problem_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "flxd.toml"
    path.write_text(
        "[connections.shop1]\nchannel = 'memory'\ntoken_env = 'MEM_TOKEN'\n"
        "[connections.shop1.get_orders]\nstatuses = ['pending', 'shipped', 'shiped']\n"
        "interval = 'often'\n"
    )
    env = {**os.environ, "MEM_TOKEN": "t0ken-value"}
    result = subprocess.run(
        [sys.executable, "-m", "flxd", "--config", str(path), "check-config"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    assert "connections.shop1.get_orders.statuses[2]: unknown status 'shiped'" in result.stderr
    assert "connections.shop1.get_orders.interval: 'often' is not a duration" in result.stderr
    path.write_text(GOOD.replace('"var"', f'"{tmp_path}/var"'))
    result = subprocess.run(
        [sys.executable, "-m", "flxd", "--config", str(path), "check-config"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "OK (1 connection(s), 1 enabled operation(s), 1 sink(s)" in result.stdout
