"""The plugin contract. Every hook is synchronous and only registers things.

pluggy calls hooks synchronously, so an `async def` implementation would return a coroutine that
nobody awaits; flxd refuses such plugins at start-up. Async behaviour belongs on the objects a
plugin registers (a Channel, a Sink, a Source), which core awaits in its own task groups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from flxd.plugin.registry import ChannelType, Command, Registrar, SinkType, SourceType, WebRoute

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "flxd"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def flxd_register_channels(register: Registrar[ChannelType]) -> None:
    """Register channel types: `register(ChannelType(name=..., ...))`."""


@hookspec
def flxd_register_sources(register: Registrar[SourceType]) -> None:
    """Register catalog feed types usable as `[feeds.NAME] type = "<name>"`."""


@hookspec
def flxd_register_sinks(register: Registrar[SinkType]) -> None:
    """Register hub-event consumer types usable as `[sinks.NAME] type = "<name>"`."""


@hookspec
def flxd_register_commands(register: Registrar[Command]) -> None:
    """Register `flxd <name>` subcommands."""


@hookspec
def flxd_register_web_routes(register: Registrar[WebRoute]) -> None:
    """Register endpoints on the admin server (OAuth callbacks, webhook receivers)."""
