"""What plugins register: channel types, feeds, sinks, CLI commands and web routes.

Each hook receives a `Registrar`; it checks what it is given, so a plugin that registers the wrong
thing or a name already taken fails at start-up with the plugin's name in the message.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

from flxd.config.models import ConnectionSettings, OperationSettings, TypedSettings
from flxd.config.operations import CORE_SETTINGS
from flxd.errors import PluginError
from flxd.operation import Operation

if TYPE_CHECKING:
    from aiohttp import web

    from flxd.config import ConnectionConfig
    from flxd.hub.drift import ChannelStock
    from flxd.hub.outbox import Event
    from flxd.net.http import HttpPolicy
    from flxd.plugin.channel import Channel
    from flxd.plugin.context import (
        ConnectionServices,
        FeedServices,
        RunContext,
        SinkServices,
        WebContext,
    )

__all__ = [
    "ChannelSandbox",
    "ChannelType",
    "Command",
    "Feed",
    "FeedType",
    "OperationType",
    "Registrar",
    "Registration",
    "Sink",
    "SinkType",
    "StockReader",
    "WebRoute",
]

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationType:
    """One of the five operations as a channel implements it: declared once, here.

    `settings` extends core's settings for the operation (flxd.config.operations); `run` does
    one run: `await run(channel, ctx)` with the connection's Channel and the run's RunContext.
    Dependencies between operations are core's (flxd.operation.RUN_ORDER)."""

    operation: Operation
    settings: type[OperationSettings]
    run: Callable[[Any, RunContext], Awaitable[None]]


StockReader = Callable[[Any, "RunContext"], AsyncIterator["Sequence[ChannelStock]"]]
"""A channel's reconciliation reader: `reader(channel, ctx)` yields what the store has now,
price and stock of every item, a page at a time (see flxd.plugin.flows.reconcile)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelSandbox:
    """An emulated store of the channel, for trying flxd and for tests, served by core's
    `flxd sandbox CHANNEL` (`flxd sandbox` alone serves the first channel, by name, that
    offers one)."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    """Add the sandbox's options to its `flxd sandbox CHANNEL` parser."""
    serve: Callable[[argparse.Namespace], Awaitable[int]]
    """Serve until cancelled (Ctrl-C, SIGTERM); the exit status."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelType:
    """A kind of sales channel (`channel = "<name>"` in a connection table)."""

    name: str
    description: str
    connection_settings: type[ConnectionSettings]
    operations: tuple[OperationType, ...]
    """The operations this channel implements (any of the five, each once)."""
    create: Callable[[Any, ConnectionServices], Channel]
    """Build the Channel for one connection from its validated settings."""
    http_policy: HttpPolicy
    """How to read this channel's responses: rate-limit headers and error classification."""
    authorize: Callable[[ConnectionConfig, str, str], str | None] | None = None
    """For channels connected by OAuth: (connection, state, admin base URL) -> the URL the
    merchant opens to approve, or None when this connection does not use OAuth."""
    concurrency: Literal["fixed", "adaptive"] = "fixed"
    """How many requests a connection keeps in flight: "fixed" (the connection's
    `max_concurrency`; for stores that say how fast to go, e.g. in quota headers) or
    "adaptive" (for stores whose only limit is their server: core starts with one, grows
    while answers stay fast, backs off on timeouts, 5xx, 429 and Retry-After, never past
    `max_concurrency`; see flxd.net.concurrency)."""
    sandbox: ChannelSandbox | None = None
    """The channel's emulated store, if it offers one (`flxd sandbox CHANNEL`)."""
    reconcile: StockReader | None = None
    """The reconciliation reader, for a channel whose changes of price or stock an incremental
    import may not see (no `date_modified` moves): core's pass (`import_listings
    --reconcile`, and every `reconcile_interval`) compares what it yields with the hub and
    has sync_listings put the hub's values back. Needs import_listings."""

    @property
    def operation_settings(self) -> Mapping[Operation, type[OperationSettings]]:
        """Each implemented operation's settings model (what the config loader validates)."""
        return {op.operation: op.settings for op in self.operations}

    def operation(self, operation: Operation) -> OperationType | None:
        return next((op for op in self.operations if op.operation is operation), None)


class Sink(Protocol):
    """Consumes hub events (order imported, shipment recorded), at least once, in order."""

    async def deliver(self, events: list[Event]) -> None: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class SinkType:
    """A kind of event consumer (`[sinks.NAME] type = "<name>"`)."""

    name: str
    description: str
    settings: type[TypedSettings]
    create: Callable[[Any, SinkServices], Sink]


class Feed(Protocol):
    """Feeds the hub catalog from outside (a supplier file, another system)."""

    async def run(self, services: FeedServices) -> Mapping[str, int]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedType:
    """A kind of catalog feed (`[feeds.NAME] type = "<name>"`)."""

    name: str
    description: str
    settings: type[TypedSettings]
    create: Callable[[Any], Feed]


WebHandler = Callable[["web.Request", "WebContext"], Awaitable["web.StreamResponse"]]


@dataclass(frozen=True, slots=True, kw_only=True)
class WebRoute:
    """An endpoint on the admin server contributed by a plugin (OAuth callbacks, webhooks).

    `public` routes skip the admin bearer token because they carry their own check (an OAuth
    `state`, a webhook secret header); the handler must make that check.
    """

    name: str
    method: str
    path: str
    handler: WebHandler
    public: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """A `flxd <name>` subcommand contributed by a plugin."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], Awaitable[int]]


T = TypeVar("T", ChannelType, SinkType, FeedType, Command, WebRoute)


@dataclass(frozen=True, slots=True)
class Registration(Generic[T]):
    plugin: str
    item: T


@dataclass(slots=True)
class Registrar(Generic[T]):
    """The `register` callable handed to a hook; remembers which plugin registered what."""

    kind: type[T]
    reserved: frozenset[str] = frozenset()
    _items: dict[str, Registration[T]] = field(default_factory=dict)
    _plugin: str = "?"

    def bind(self, plugin: str) -> Registrar[T]:
        self._plugin = plugin
        return self

    def __call__(self, item: T) -> None:
        what = self.kind.__name__
        if not isinstance(item, self.kind):
            raise PluginError(
                f"plugin {self._plugin!r} registered {type(item).__name__} where a {what} belongs"
            )
        if not _NAME.match(item.name):
            raise PluginError(
                f"plugin {self._plugin!r} registered a {what} with a bad name {item.name!r}"
            )
        if item.name in self.reserved:
            raise PluginError(
                f"plugin {self._plugin!r}: {what} name {item.name!r} is reserved by flxd"
            )
        taken = self._items.get(item.name)
        if taken is not None:
            raise PluginError(
                f"plugin {self._plugin!r} registered {what} {item.name!r}, "
                f"already registered by plugin {taken.plugin!r}"
            )
        _check_item(item, self._plugin)
        self._items[item.name] = Registration(self._plugin, item)

    def get(self, name: str) -> T | None:
        found = self._items.get(name)
        return found.item if found is not None else None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __iter__(self) -> Iterator[Registration[T]]:
        return iter(self._items.values())


def _check_item(item: object, plugin: str) -> None:
    if isinstance(item, ChannelType):
        if not issubclass(item.connection_settings, ConnectionSettings):
            raise PluginError(
                f"plugin {plugin!r}: channel {item.name!r} connection_settings must subclass "
                "flxd.plugin.ConnectionSettings"
            )
        seen: set[Operation] = set()
        for op in item.operations:
            if not isinstance(op, OperationType) or not isinstance(op.operation, Operation):
                raise PluginError(
                    f"plugin {plugin!r}: channel {item.name!r} operations must be OperationType"
                )
            if op.operation in seen:
                raise PluginError(
                    f"plugin {plugin!r}: channel {item.name!r} declares {op.operation} twice"
                )
            seen.add(op.operation)
            base = CORE_SETTINGS[op.operation]
            if not isinstance(op.settings, type) or not issubclass(op.settings, base):
                raise PluginError(
                    f"plugin {plugin!r}: channel {item.name!r} {op.operation} settings must "
                    f"subclass flxd.plugin.{base.__name__}"
                )
        if item.reconcile is not None:
            if not callable(item.reconcile):
                raise PluginError(
                    f"plugin {plugin!r}: channel {item.name!r} reconcile must be callable"
                )
            if Operation.IMPORT_LISTINGS not in seen:
                raise PluginError(
                    f"plugin {plugin!r}: channel {item.name!r} has a reconcile reader but no "
                    "import_listings (the pass runs as part of it)"
                )
    elif isinstance(item, SinkType | FeedType) and not issubclass(item.settings, TypedSettings):
        raise PluginError(
            f"plugin {plugin!r}: {item.name!r} settings must subclass flxd.plugin.TypedSettings"
        )
