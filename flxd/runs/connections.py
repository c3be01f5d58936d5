"""A configured connection brought to life: its limiter, HTTP client and Channel object."""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import aiohttp
import anyio
import structlog

from flxd.clock import Clock
from flxd.config import Config, ConnectionConfig
from flxd.errors import PluginError
from flxd.hub.credentials import ConnectionCredentials, Vault
from flxd.net.concurrency import AdaptiveConcurrency, Concurrency
from flxd.net.http import HttpClient
from flxd.net.ratelimit import Limiter
from flxd.plugin.channel import Channel
from flxd.plugin.context import CheckContext, ConnectionServices
from flxd.plugin.registry import ChannelType, Registrar
from flxd.store import Database

__all__ = [
    "ConnectionRuntime",
    "build_runtime",
    "build_runtimes",
    "check_context",
    "credentials_fingerprint",
    "standalone_runtime",
]


@dataclass(slots=True, kw_only=True)
class ConnectionRuntime:
    config: ConnectionConfig
    channel_type: ChannelType
    channel: Channel
    http: HttpClient
    limiter: Limiter
    fingerprint: str
    active_runs: int = 0
    _idle: anyio.Event = field(default_factory=anyio.Event)

    @property
    def name(self) -> str:
        return self.config.name

    @contextmanager
    def in_use(self) -> Iterator[None]:
        """Held by a run for its whole duration, so a reload closes the channel only after."""
        self.active_runs += 1
        try:
            yield
        finally:
            self.active_runs -= 1
            if self.active_runs == 0:
                self._idle.set()
                self._idle = anyio.Event()

    async def wait_idle(self) -> None:
        if self.active_runs:
            await self._idle.wait()


def credentials_fingerprint(config: ConnectionConfig) -> str:
    """A digest of the connection's secrets: tells whether credentials changed, reveals nothing."""
    digest = hashlib.sha256(config.channel.encode())
    for secret in config.settings.secrets():
        digest.update(b"\0" + secret.get_secret_value().encode())
    return digest.hexdigest()[:16]


def build_runtime(
    config: ConnectionConfig,
    channel_type: ChannelType,
    *,
    session: aiohttp.ClientSession,
    clock: Clock,
    state_dir: Path,
    limiter: Limiter | None = None,
    db: Database | None = None,
    vault: Vault | None = None,
    admit: Callable[[str], None] | None = None,
) -> ConnectionRuntime:
    """Build a connection's runtime; pass the old limiter on reload so quota knowledge survives.
    `admit(connection)` is asked right before each request leaves (several nodes: whether this
    node still holds the connection's lease)."""
    ceiling = config.settings.max_concurrency
    if limiter is None or limiter.max_concurrency != ceiling:
        limiter = Limiter(
            clock,
            max_concurrency=ceiling,
            admit=None if admit is None else partial(admit, config.name),
            concurrency=_concurrency(channel_type, ceiling),
        )
    ca_file = config.settings.ca_file
    http = HttpClient(
        session=session,
        limiter=limiter,
        policy=channel_type.http_policy,
        clock=clock,
        timeout=config.settings.request_timeout,
        tls=None if ca_file is None else ssl.create_default_context(cafile=str(ca_file)),
    )
    services = ConnectionServices(
        name=config.name,
        http=http,
        clock=clock,
        log=structlog.get_logger("flxd.plugin.channel").bind(connection=config.name),
        state_dir=state_dir,
        credentials=ConnectionCredentials(config.name, db, vault),
    )
    try:
        channel = channel_type.create(config.settings, services)
    except Exception as exc:
        raise PluginError(
            f"channel {channel_type.name!r} failed to set up connection {config.name!r}: {exc!r}"
        ) from exc
    return ConnectionRuntime(
        config=config,
        channel_type=channel_type,
        channel=channel,
        http=http,
        limiter=limiter,
        fingerprint=credentials_fingerprint(config),
    )


def _concurrency(channel_type: ChannelType, ceiling: int) -> Concurrency | None:
    """The channel's kind of concurrency (None: the limiter's fixed default)."""
    if channel_type.concurrency == "adaptive":
        return AdaptiveConcurrency(ceiling)
    return None


def build_runtimes(
    config: Config,
    channels: Registrar[ChannelType],
    current: Mapping[str, ConnectionRuntime],
    *,
    session: aiohttp.ClientSession,
    clock: Clock,
    db: Database | None,
    admit: Callable[[str], None] | None = None,
) -> dict[str, ConnectionRuntime]:
    """Every configured connection's runtime; one whose config is unchanged is kept as it is
    (a reload), a changed one keeps its limiter (what it learnt of the store's quota)."""
    vault = Vault.for_config(config)
    built: dict[str, ConnectionRuntime] = {}
    for name, conn in config.connections.items():
        old = current.get(name)
        if old is not None and old.config == conn:
            built[name] = old
            continue
        channel_type = channels.get(conn.channel)
        assert channel_type is not None  # the config loader checked it
        built[name] = build_runtime(
            conn,
            channel_type,
            session=session,
            clock=clock,
            state_dir=config.daemon.state_dir,
            limiter=old.limiter if old is not None else None,
            db=db,
            vault=vault,
            admit=admit,
        )
    return built


def standalone_runtime(
    config: Config,
    channels: Registrar[ChannelType],
    name: str,
    *,
    session: aiohttp.ClientSession,
    clock: Clock,
    db: Database | None,
) -> ConnectionRuntime:
    """One connection brought to life outside the daemon (`connections check`, `orders
    explain`), with the hub's stored credentials when there is a hub."""
    conn = config.connections[name]
    channel_type = channels.get(conn.channel)
    assert channel_type is not None  # the config loader checked it
    return build_runtime(
        conn,
        channel_type,
        session=session,
        clock=clock,
        state_dir=config.daemon.state_dir,
        db=db,
        vault=Vault.for_config(config),
    )


def check_context(runtime: ConnectionRuntime, clock: Clock, *, admin_url: str = "") -> CheckContext:
    """What a channel's check, upkeep or order explanation gets for this connection."""
    conn = runtime.config
    return CheckContext(
        connection=conn.name,
        settings=conn.settings,
        operations=tuple(conn.enabled_operations()),
        http=runtime.http,
        clock=clock,
        log=structlog.get_logger("flxd.channel").bind(connection=conn.name),
        operation_settings=conn.operations,
        admin_url=admin_url,
    )
