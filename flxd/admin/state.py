"""What the admin server's handlers see of the running daemon, and how they answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import SecretStr

from flxd.clock import Clock
from flxd.cluster.leases import LeaseManager
from flxd.config import Config
from flxd.daemon.delivery import Delivery
from flxd.daemon.metrics import Metrics
from flxd.daemon.scheduler import Scheduler
from flxd.hub.jsonable import to_jsonable
from flxd.runs.runner import Runner
from flxd.store import Database

__all__ = ["STATE", "AdminState", "EdgeAlarm", "json_error", "json_response"]


@dataclass(slots=True)
class EdgeAlarm:
    """Edge-triggered logging: say once that something started failing, once that it recovered."""

    failing: bool = False

    def trip(self) -> bool:
        """True the first time in a row."""
        first, self.failing = not self.failing, True
        return first

    def clear(self) -> bool:
        """True when it had been failing."""
        was, self.failing = self.failing, False
        return was


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminState:
    config: Callable[[], Config]
    """The current config (a reload replaces it)."""
    token: Callable[[], SecretStr | None]
    db: Database
    clock: Clock
    node: str
    runner: Runner
    scheduler: Scheduler
    delivery: Delivery
    metrics: Metrics
    session: aiohttp.ClientSession
    """The daemon's HTTP session, for what plugin routes call out to (OAuth token exchanges)."""
    reload: Callable[[], Awaitable[None]]
    hub_alarm: EdgeAlarm = field(default_factory=EdgeAlarm)
    leases: LeaseManager | None = None
    """Several nodes on PostgreSQL: this node's leases (None: it runs every connection)."""


STATE = web.AppKey("flxd_admin_state", AdminState)


def json_response(data: Any, *, status: int = 200) -> web.Response:
    return web.json_response(to_jsonable(data), status=status)


def json_error(status: int, message: str, **extra: Any) -> web.Response:
    """An error answer: `{"error": message, ...}` with the given status."""
    return web.json_response({"error": message, **to_jsonable(extra)}, status=status)
