"""`flxd connections …`: check that a connection works."""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flxd.clock import SystemClock
from flxd.commands.env import CommandEnv
from flxd.commands.output import print_json
from flxd.commands.settings_help import describe_channels
from flxd.config import find_config, parse_config
from flxd.config.secrets import unresolved_secrets
from flxd.errors import ConfigError, ConfigProblem, UsageError
from flxd.hub.credentials import (
    DEFAULT_KEY_ENV,
    PendingAuth,
    UndecryptableCredentials,
    Vault,
)
from flxd.hub.database import open_existing_hub, open_hub
from flxd.net.http import open_session
from flxd.plugin.channel import CheckReport
from flxd.plugin.registry import ChannelType
from flxd.runs.connections import check_context, standalone_runtime

__all__ = ["add_parsers"]

APPROVAL_LIFETIME = timedelta(hours=1)


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], channels: Sequence[ChannelType] = ()
) -> None:
    connections = sub.add_parser("connections", help="add and check connections to stores")
    csub = connections.add_subparsers(dest="connections_command", required=True, metavar="COMMAND")
    check = csub.add_parser("check", help="call the store with the connection's credentials")
    check.add_argument("name")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=cmd_check)

    add = csub.add_parser(
        "add",
        help="add a connection to the config file (and start its OAuth approval)",
        description="Adds [connections.NAME] to the config file with the given settings\n"
        '(--store-hash abc123 becomes store_hash = "abc123"), validated like the rest of the\n'
        "file. For an OAuth connection it then prints the URL where the merchant approves the\n"
        "app. Run it again for an existing connection to approve it again.\n\n"
        "  flxd connections add shop1 --channel bigcommerce --store-hash abc123 "
        "--client-id ID --access-token-env SHOP1_TOKEN\n"
        "  flxd connections add shop2 --channel bigcommerce --store-hash abc123 "
        "--auth oauth --client-id ID --client-secret-env SHOP2_APP_SECRET",
        epilog=describe_channels(channels),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.add_argument("name")
    add.add_argument(
        "settings",
        nargs=argparse.REMAINDER,
        help="--channel CHANNEL and the connection's settings as --key value (below)",
    )
    add.set_defaults(handler=cmd_add)


async def cmd_check(env: CommandEnv) -> int:
    env.setup_logging()
    config = env.config
    conn = config.connections.get(env.args.name)
    if conn is None:
        known = ", ".join(sorted(config.connections)) or "none"
        raise UsageError(f"unknown connection {env.args.name!r} (configured: {known})")
    env.need_secrets(f"connections.{conn.name}", "daemon")
    clock = SystemClock()
    # Credentials flxd obtained itself (an approved OAuth token) are in the hub.
    async with open_existing_hub(config) as db, open_session() as session:
        runtime = standalone_runtime(
            config, env.host.channels, conn.name, session=session, clock=clock, db=db
        )
        try:
            report = await runtime.channel.check(check_context(runtime, clock))
        except UndecryptableCredentials as exc:
            report = CheckReport(ok=False, verdict=str(exc))
        finally:
            await runtime.channel.aclose()
    if env.args.json:
        print_json(
            {
                "connection": conn.name,
                "ok": report.ok,
                "verdict": report.verdict,
                "details": dict(report.details),
            },
            env.out,
        )
    else:
        env.out.write(f"{conn.name} ({conn.channel}): {report.verdict}\n")
        width = max((len(k) for k in report.details), default=0)
        for key, value in report.details.items():
            env.out.write(f"  {key.ljust(width)}  {value}\n")
    return 0 if report.ok else 1


def _settings(words: list[str]) -> dict[str, Any]:
    """`--store-hash abc --max-concurrency 2` -> {"store_hash": "abc", "max_concurrency": 2}."""
    found: dict[str, Any] = {}
    rest = list(words)
    while rest:
        flag = rest.pop(0)
        if not flag.startswith("--") or not rest or rest[0].startswith("--"):
            raise UsageError(f"expected --key value pairs, got {flag!r}")
        value: Any = rest.pop(0)
        if re.fullmatch(r"-?\d+", value):
            value = int(value)
        elif value in ("true", "false"):
            value = value == "true"
        found[flag[2:].replace("-", "_")] = value
    return found


def _toml_table(name: str, settings: dict[str, Any]) -> str:
    lines = [f"[connections.{name}]"]
    for key, value in settings.items():
        lines.append(f"{key} = {json.dumps(value)}")  # JSON strings/ints/bools are valid TOML
    return "\n".join(lines) + "\n"


async def cmd_add(env: CommandEnv) -> int:
    name = env.args.name
    settings = _settings(env.args.settings)
    path = find_config(env.args.config, os.environ)
    config = env.config
    addition = ""
    if name not in config.connections:
        if "channel" not in settings:
            raise UsageError(
                f"a new connection needs --channel (installed: "
                f"{', '.join(env.host.channels.names()) or 'none'}); its settings: "
                "flxd connections add --help"
            )
        addition = f"\n# added by `flxd connections add`\n{_toml_table(name, settings)}"
        # Validate the whole file with the new table before writing anything.
        config = parse_config(
            path.read_text(encoding="utf-8") + addition,
            registries=env.host,
            source=str(path),
            base_dir=path.resolve().parent,
            path=path.resolve(),
            defer_secrets=True,
        )
    elif settings:
        raise UsageError(f"connection {name!r} exists already; edit {path} to change its settings")
    connection = config.connections[name]
    channel_type = env.host.channels.get(connection.channel)
    assert channel_type is not None
    approval = channel_type.authorize is not None and (
        channel_type.authorize(connection, "-", config.admin.url) is not None
    )
    # What the connection will need beyond this command, all of it at once.
    needed = [
        p
        for p in unresolved_secrets(config)
        if p.path.startswith((f"connections.{name}.", "daemon."))
    ]
    if approval and not any(p.path.startswith("daemon.") for p in needed):
        try:
            if Vault.for_config(config) is None:
                needed.append(ConfigProblem(DEFAULT_KEY_ENV, "not set"))
        except ConfigError as exc:
            needed += exc.problems
    if approval and needed:
        lines = "\n".join(f"  {p}" for p in needed)
        raise UsageError(
            f"{name}: an OAuth approval needs, before it starts:\n{lines}\n"
            f"flxd run exchanges the approval using the app's client secret and keeps the "
            f"token encrypted with {DEFAULT_KEY_ENV} (32+ random characters, e.g. from "
            "openssl rand -hex 24): set them here and where flxd run runs"
        )
    if addition:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(addition)
        env.out.write(f"added [connections.{name}] to {path}\n")
    for problem in needed:
        env.out.write(f"  note: {problem}: set it where flxd run runs\n")
    if not approval or channel_type.authorize is None:
        env.out.write(f"{name}: check it with: flxd connections check {name}\n")
        return 0
    env.setup_logging()
    clock = SystemClock()
    async with open_hub(config, creating=env.creating_hub) as db, db.transaction() as tx:
        pending = await PendingAuth.start(
            tx, name, connection.channel, clock.now(), APPROVAL_LIFETIME
        )
        url = channel_type.authorize(connection, pending.state, config.admin.url)
    env.out.write(
        f"{name}: waiting for approval (for the next hour). Open this URL to approve flxd:\n"
        f"  {url}\n"
        f"The store calls back flxd's admin server at {config.admin.url}: keep `flxd run` "
        "running and reachable there.\n"
    )
    return 0
