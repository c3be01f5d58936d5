"""`flxd sandbox [CHANNEL]`: serve a channel's emulated store (ChannelType.sandbox).

Each installed channel that offers a sandbox gets `flxd sandbox CHANNEL` with its own options;
`flxd sandbox` alone (options and all) serves the first of them by name, which keeps the
command of the days of one channel working (`flxd sandbox --port 8080` is BigCommerce's).
Standard output is the sandbox's own (where it listens, its keys); its log goes to standard
error. No config file is read.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from flxd.commands.env import CommandEnv
from flxd.errors import UsageError
from flxd.logging import configure_logging
from flxd.plugin.registry import ChannelType

__all__ = ["add_parsers", "default_channel"]


def default_channel(channels: Sequence[ChannelType]) -> ChannelType | None:
    """The channel `flxd sandbox` serves when none is named."""
    offering = sorted((c for c in channels if c.sandbox is not None), key=lambda c: c.name)
    return offering[0] if offering else None


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], channels: Sequence[ChannelType]
) -> None:
    default = default_channel(channels)
    if default is None:
        return
    assert default.sandbox is not None
    offering = sorted((c for c in channels if c.sandbox is not None), key=lambda c: c.name)
    names = ", ".join(c.name for c in offering)
    parser = sub.add_parser(
        "sandbox",
        help=f"serve an emulated store for trying flxd and for tests ({names})",
        description=f"Serve a channel's emulated store: flxd sandbox CHANNEL [options] ({names}). "
        f"Without a channel, {default.name}'s, with its options below.",
    )
    default.sandbox.configure(parser)
    parser.set_defaults(handler=cmd_sandbox, sandbox_channel=default.name)
    channel_parsers = parser.add_subparsers(dest="sandbox_choice", metavar="CHANNEL")
    for channel in offering:
        assert channel.sandbox is not None
        one = channel_parsers.add_parser(channel.name, help=channel.sandbox.help)
        channel.sandbox.configure(one)
        one.set_defaults(sandbox_channel=channel.name)


async def cmd_sandbox(env: CommandEnv) -> int:
    name = env.args.sandbox_channel
    channel = env.host.channels.get(name)
    if channel is None or channel.sandbox is None:
        raise UsageError(f"channel {name!r} offers no sandbox")
    if env.args.sandbox_choice is None:
        others = [
            c.name for c in (r.item for r in env.host.channels) if c.sandbox and c.name != name
        ]
        if others:
            env.err.write(
                f"flxd: serving the {name} sandbox (flxd sandbox CHANNEL for another: "
                f"{', '.join(sorted(others))})\n"
            )
    # Its own log on standard error: standard output is the sandbox's banner (addresses, keys).
    configure_logging(level=env.args.log_level or "info", stream=env.err)
    return await channel.sandbox.serve(env.args)
