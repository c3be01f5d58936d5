"""The `flxd` command line: parses arguments and calls into the core; no logic lives here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import anyio

from flxd import __version__
from flxd.commands import connections, listings, orders, run, sandbox, status
from flxd.commands.env import CommandEnv
from flxd.commands.streams import guard_standard_streams, reader_gone
from flxd.errors import ConfigError, FlxdError, PluginError, StoreError, UsageError
from flxd.plugin.manager import PluginHost, load_plugins
from flxd.plugin.registry import ChannelType, Command
from flxd.taskgroup import leaves

__all__ = ["build_parser", "main"]

EXIT_USAGE = 2


def build_parser(
    commands: Sequence[Command] = (), channels: Sequence[ChannelType] = ()
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flxd", description="Sync a hub catalog and order book with sales channels."
    )
    parser.add_argument("--version", action="version", version=f"flxd {__version__}")
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $FLXD_CONFIG, ./flxd.toml, /etc/flxd/flxd.toml)",
    )
    parser.add_argument(
        "--log-level",
        choices=["debug", "info", "warning", "error"],
        help="override [logging] level",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (run, listings, orders, status):
        module.add_parsers(sub)
    connections.add_parsers(sub, channels)  # its help lists each channel's settings
    sandbox.add_parsers(sub, channels)  # a channel's emulated store: ChannelType.sandbox
    for command in commands:
        p = sub.add_parser(command.name, help=command.help)
        command.configure(p)
        p.set_defaults(plugin_command=command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    guard_standard_streams()
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, so a reader that went away is noticed before exit
    except BrokenPipeError:
        return reader_gone()
    return status


def _main(argv: Sequence[str] | None) -> int:
    try:
        host: PluginHost | None = load_plugins()
    except PluginError as exc:
        # Core commands still work for diagnosis; plugin commands are simply missing.
        print(f"flxd: {exc}", file=sys.stderr)
        host = None
    commands = [r.item for r in host.commands] if host is not None else []
    channels = [r.item for r in host.channels] if host is not None else []
    args = build_parser(commands, channels).parse_args(argv)
    if host is None and args.command != "check-config":
        return EXIT_USAGE
    env = CommandEnv(args, host)
    try:
        try:
            plugin_command: Command | None = getattr(args, "plugin_command", None)
            if plugin_command is not None:
                return anyio.run(plugin_command.run, args)
            return int(anyio.run(args.handler, env))
        except BaseExceptionGroup as group:
            # Task groups wrap what their body raises; one error is reported as itself.
            raise _sole_error(group) from None
    except ConfigError as exc:
        print(f"flxd: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (UsageError, PluginError) as exc:
        print(f"flxd: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"flxd: database: {exc}", file=sys.stderr)
        return 1
    except FlxdError as exc:
        print(f"flxd: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise
    except OSError as exc:
        # A path the operator gave that cannot be read or written: say which and why.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"flxd: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _sole_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The one error inside (nested) exception groups, or the group itself if there are more."""
    found = leaves(group)
    return found[0] if len(found) == 1 else group
