"""What core hands to plugin objects: services at construction, a RunContext per run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import structlog

from flxd.clock import Clock
from flxd.cluster.fencing import Fence
from flxd.config import Config
from flxd.config.models import ConnectionSettings, OperationSettings
from flxd.errors import RecordError
from flxd.hub.catalog import Catalog
from flxd.hub.credentials import ConnectionCredentials, Vault
from flxd.hub.cursors import Cursors
from flxd.hub.links import Links
from flxd.hub.orders import OrderBook
from flxd.hub.outbox import Outbox
from flxd.net.http import HttpClient
from flxd.net.runhttp import RunHttp
from flxd.operation import Operation
from flxd.store import Database, Tx

__all__ = [
    "CheckContext",
    "ConnectionServices",
    "FeedServices",
    "HubWriter",
    "RunContext",
    "SinkServices",
    "WebContext",
]

Log = Any  # structlog's BoundLogger; typed loosely because structlog proxies it
MAX_ERRORS_KEPT = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionServices:
    """Given to a ChannelType's factory once per connection."""

    name: str
    http: HttpClient
    clock: Clock
    log: Log
    state_dir: Path
    credentials: ConnectionCredentials
    """Credentials flxd obtained for this connection itself (an OAuth token), encrypted."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckContext:
    connection: str
    settings: ConnectionSettings
    operations: tuple[Operation, ...]
    """The enabled operations (a check can verify what they need, e.g. scopes)."""
    http: HttpClient
    clock: Clock
    log: Log
    operation_settings: Mapping[Operation, OperationSettings] = field(default_factory=dict)
    """Every configured operation's settings, enabled or not (e.g. for explaining orders)."""
    admin_url: str = ""
    """Where the admin server is reached from outside (webhook destinations, callbacks)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WebContext:
    """What an admin-server route handler gets (see flxd.plugin.registry.WebRoute)."""

    config: Config
    db: Database
    clock: Clock
    http: HttpClient
    """For calls that are not to a store's API (e.g. an OAuth token exchange)."""
    request_run: Callable[[str, Operation, str], bool]
    """Ask for a run now: (connection, operation, trigger) -> accepted."""
    reload: Callable[[], Awaitable[None]]
    """Re-read the config and credentials (after an OAuth connection was activated)."""
    state_dir: Path

    @property
    def vault(self) -> Vault | None:
        """The hub's secrets vault (None when no secret key is set)."""
        return Vault.for_config(self.config)


@dataclass(frozen=True, slots=True, kw_only=True)
class SinkServices:
    name: str
    clock: Clock
    log: Log
    state_dir: Path


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedServices:
    name: str
    db: Database
    clock: Clock
    log: Log


class HubWriter:
    """The hub as one transaction sees it: catalog, order book, outbox, and the run's cursor.
    Everything done through it, cursor included, commits together or not at all."""

    def __init__(self, tx: Tx, clock: Clock) -> None:
        now = clock.now()
        self.catalog = Catalog(tx, now)
        self.links = Links(tx, now)
        self.outbox = Outbox(tx, now)
        self.orders = OrderBook(tx, now, self.outbox)
        self.cursor_updates: dict[str, str] = {}

    def set_cursor(self, value: str, *, part: str = "") -> None:
        """Move the run's cursor; saved with the rest of this transaction."""
        self.cursor_updates[part] = value


@dataclass(slots=True)
class RunCounts:
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    plan: list[dict[str, Any]] = field(default_factory=list)
    """In a dry run: every write the run would have sent to the channel."""


class _DryRunRollback(Exception):
    """Raised inside a dry run's transaction so the database rolls everything back."""


class RunContext:
    """One run of one operation on one connection."""

    def __init__(
        self,
        *,
        connection: str,
        operation: Operation,
        run_id: int,
        settings: OperationSettings,
        connection_settings: ConnectionSettings,
        full: bool,
        db: Database,
        clock: Clock,
        http: HttpClient,
        cursors: Mapping[str, str],
        stop: anyio.Event,
        on_commit: Callable[[HubWriter], None] | None = None,
        dry_run: bool = False,
        fence: Fence | None = None,
        released: anyio.Event | None = None,
    ) -> None:
        self.connection = connection
        self.operation = operation
        self.run_id = run_id
        self.settings = settings
        self.connection_settings = connection_settings
        self.full = full
        self.dry_run = dry_run
        """Read everything, write nothing: core records the channel's writes as the plan
        instead of sending them (see `http`), and rolls back hub transactions, cursors
        included. A channel needs no check of its own."""
        self.clock = clock
        self.http = RunHttp(
            http, dry_run=dry_run, record=self._record_write, confirm=self._confirm_lease
        )
        """The connection's HTTP for this run: rate-limited and retried by core. A write is
        described by `plan=` (what a dry run shows); one that cannot be taken back is sent
        with `irreversible=True`, and core confirms the connection's lease right before it
        leaves (several nodes)."""
        self.log = structlog.get_logger("flxd.run").bind(
            connection=connection, operation=operation.value, run_id=run_id
        )
        self._db = db
        self._cursors = {} if full else dict(cursors)
        self._stop = stop
        self._released = released
        self._fence = fence
        self._on_commit = on_commit
        self.result = RunCounts()

    @property
    def stopping(self) -> bool:
        """True once the daemon is shutting down, or this node is handing the connection over
        to another: finish the current page, commit, return."""
        return self._stop.is_set() or (self._released is not None and self._released.is_set())

    async def _confirm_lease(self) -> None:
        """Right before a channel write that cannot be taken back: FencedError unless this
        node still holds the connection's lease, with a margin, by its own clock and by the
        database's. After a lease moves, the new holder looks on the channel for what the old
        one may have sent; this narrows the window in which the old one could still send it
        to the time the request takes to leave. Without leases (SQLite, one node): at once."""
        if self._fence is not None and not self.dry_run:
            await self._fence.confirm(self._db)

    def cursor(self, part: str = "") -> str | None:
        """The committed cursor: None on the first run, and at the start of a `--full` run."""
        return self._cursors.get(part)

    def count(self, key: str, n: int = 1) -> None:
        self.result.counts[key] = self.result.counts.get(key, 0) + n

    def _record_write(self, entry: Mapping[str, Any]) -> None:
        """A dry run's write, as the channel described it."""
        self.result.plan.append(dict(entry))

    def skip(self, error: RecordError) -> None:
        """A bad record: count it, keep the reason for the run record, and go on."""
        self.count("skipped")
        reason = f"{error.record}: {error}" if error.record else str(error)
        if len(self.result.errors) < MAX_ERRORS_KEPT:
            self.result.errors.append(reason)
        self.log.warning("record skipped", reason=reason)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[HubWriter]:
        """Hub writes and cursor moves that commit together (in a dry run: roll back)."""
        try:
            async with self._db.transaction() as tx:
                writer = HubWriter(tx, self.clock)
                yield writer
                cursors = Cursors(tx, self.clock.now())
                for part, value in writer.cursor_updates.items():
                    await cursors.save(
                        self.connection,
                        self.operation.value,
                        value,
                        part=part,
                        run_id=self.run_id,
                    )
                if self.dry_run:
                    raise _DryRunRollback
                if self._fence is not None:
                    # Last, just before the commit: the lease row stays locked only briefly.
                    await self._fence.check(tx)
        except _DryRunRollback:
            pass
        else:
            if writer.orders.erased:
                await self._db.scrub()
        # The run goes on from where it got to, committed or (in a dry run) not.
        self._cursors.update(writer.cursor_updates)
        if self._on_commit is not None and not self.dry_run:
            self._on_commit(writer)
