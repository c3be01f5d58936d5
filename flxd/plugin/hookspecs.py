"""The hooks a plugin implements. Every hook is synchronous and only registers things.

pluggy calls hooks synchronously, so an `async def` implementation would return a coroutine that
nobody awaits; flxd refuses such plugins at start-up, as it refuses a hook name it does not
define (a misspelling). Async behaviour belongs on the objects a plugin registers (a Channel, a
Sink, a Feed), which core awaits in its own task groups.

Each hook receives a `register` callable (a Registrar) that checks what it is given: the wrong
type, a bad or taken name, or settings that do not extend core's fail at start-up with the
plugin's name in the message. Hooks are called once per process, when the plugins are loaded
(`flxd` start-up, `load_plugins()` in tests), in no promised order between plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from flxd.plugin.registry import (
        ChannelType,
        Command,
        FeedType,
        Registrar,
        SinkType,
        WebRoute,
    )

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "flxd"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def flxd_register_channels(register: Registrar[ChannelType]) -> None:
    """Register the channel types this plugin provides.

    :param register: call `register(ChannelType(...))` once per channel type. Its `name` is
        what a connection table names (`channel = "<name>"`); its `operations` (OperationType:
        operation, settings extending core's, run function) are the only operations a
        connection of this channel may configure.

    Called once when plugins are loaded. Since flxd 0.1 (OperationType since 0.2).
    """


@hookspec
def flxd_register_feeds(register: Registrar[FeedType]) -> None:
    """Register catalog feed types, usable as `[feeds.NAME] type = "<name>"`.

    :param register: call `register(FeedType(...))` once per feed type; its `create`
        builds a Feed from the validated settings, whose `run` core awaits on the feed's
        interval (and before `run --once`).

    Called once when plugins are loaded. Since flxd 0.1.
    """


@hookspec
def flxd_register_sinks(register: Registrar[SinkType]) -> None:
    """Register hub-event consumer types, usable as `[sinks.NAME] type = "<name>"`.

    :param register: call `register(SinkType(...))` once per sink type; its `create` builds a
        Sink whose `deliver` core awaits with events in order, at least once each (from a
        persisted outbox), e.g. `order.imported` (flxd.hub.events gives every payload).

    Called once when plugins are loaded. Since flxd 0.1.
    """


@hookspec
def flxd_register_commands(register: Registrar[Command]) -> None:
    """Register `flxd <name>` subcommands (e.g. a channel's emulated store).

    :param register: call `register(Command(...))` once per subcommand; `configure` adds its
        arguments to an argparse parser, `run` is awaited with the parsed arguments and returns
        the exit status. Names of core's own commands are refused.

    Called once when plugins are loaded, before the command line is parsed. Since flxd 0.1.
    """


@hookspec
def flxd_register_web_routes(register: Registrar[WebRoute]) -> None:
    """Register endpoints on the admin server (OAuth callbacks, webhook receivers).

    :param register: call `register(WebRoute(...))` once per route; its handler is awaited
        with the request and a WebContext. A `public` route skips the admin token and must make
        its own check (an approval's `state`, a webhook's signature or shared secret); see
        flxd.plugin.approval and flxd.plugin.webhooks for the parts every channel shares.

    Called once when plugins are loaded; routes are mounted when the admin server starts.
    Since flxd 0.1.
    """
