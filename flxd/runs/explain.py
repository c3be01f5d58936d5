"""`flxd orders explain NAME ORDER_ID`: "my order did not import" answered with the values that
decide it.

The hub says whether the order is there; if not, the channel fetches it and compares it with
get_orders' settings (status, age window, archived), and the hub adds what only it knows: the
connection's health, whether get_orders is enabled, how far its cursor has read, and when it
runs next (the last run's start plus its interval).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp

from flxd.clock import Clock
from flxd.config import Config
from flxd.errors import AuthError, ChannelError, UsageError
from flxd.hub.cursors import Cursors
from flxd.hub.database import open_existing_hub
from flxd.hub.health import ConnectionHealth, HealthBook
from flxd.hub.model import Order
from flxd.hub.orders import OrderBook
from flxd.operation import Operation
from flxd.plugin.channel import ExplainsOrders, OrderExplanation
from flxd.plugin.manager import PluginHost
from flxd.runs.connections import check_context, standalone_runtime
from flxd.runs.journal import Journal, RunRecord
from flxd.store import Database

__all__ = ["ExplainReport", "explain_order"]

GET_ORDERS = Operation.GET_ORDERS


@dataclass(frozen=True, slots=True, kw_only=True)
class ExplainReport:
    connection: str
    order_id: str
    imported: bool
    reasons: tuple[str, ...] = ()
    """Why it is not imported (empty when it is)."""
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return "imported" if self.imported else "not imported"


@dataclass(slots=True)
class _HubFacts:
    order: Order | None
    shipments: int
    health: tuple[ConnectionHealth, str | None] | None
    last_run: RunRecord | None
    cursors: dict[str, str]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(seconds: float) -> str:
    whole = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole >= size and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


async def explain_order(
    config: Config,
    host: PluginHost,
    connection: str,
    order_id: str,
    *,
    clock: Clock,
    session: aiohttp.ClientSession,
) -> ExplainReport:
    conn = config.connections.get(connection)
    if conn is None:
        known = ", ".join(sorted(config.connections)) or "none"
        raise UsageError(f"unknown connection {connection!r} (configured: {known})")
    # No hub yet is an answer too (nothing imported, never run); none is created.
    async with open_existing_hub(config) as db:
        hub = await _hub_facts(db, clock, connection, order_id)
        if hub.order is not None:
            return _imported(connection, order_id, hub.order, hub.shipments)
        runtime = standalone_runtime(
            config, host.channels, connection, session=session, clock=clock, db=db
        )
        reasons: list[str] = []
        facts: dict[str, str] = {}
        explanation: OrderExplanation | None = None
        auth_error: str | None = None
        try:
            if isinstance(runtime.channel, ExplainsOrders):
                explanation = await runtime.channel.explain_order(
                    check_context(runtime, clock), order_id
                )
            else:
                reasons.append(f"channel {conn.channel!r} cannot explain orders")
        except AuthError as exc:
            auth_error = str(exc)
        except ChannelError as exc:
            reasons.append(f"cannot reach the store: {exc}")
        finally:
            await runtime.channel.aclose()
    interval = conn.operations[GET_ORDERS].interval if GET_ORDERS in conn.operations else None
    if not conn.settings.enabled:
        reasons.append(f"connection {connection} is disabled (enabled = false)")
    if GET_ORDERS not in conn.enabled_operations():
        reasons.append(f"get_orders is not enabled for {connection}")
    if hub.health is not None and hub.health[0] is ConnectionHealth.NEEDS_REAUTH:
        why = f" ({hub.health[1]})" if hub.health[1] else ""
        reasons.append(
            f"the connection needs re-authentication{why}: get_orders is paused until its "
            "credentials change"
        )
    elif auth_error is not None:
        reasons.append(f"the connection needs re-authentication: {auth_error}")
    if explanation is not None:
        facts.update(explanation.facts)
    next_run = _next_run(hub.last_run, interval, clock.now(), facts)
    if explanation is not None:
        if explanation.unsupported:
            reasons.append(explanation.unsupported)
        reasons.extend(explanation.reasons)
        if explanation.found and not reasons:
            reasons.append(_position(explanation, hub.cursors, next_run, connection, facts))
    return ExplainReport(
        connection=connection,
        order_id=order_id,
        imported=False,
        reasons=tuple(reasons),
        facts=facts,
    )


async def _hub_facts(
    db: Database | None, clock: Clock, connection: str, order_id: str
) -> _HubFacts:
    if db is None:
        return _HubFacts(order=None, shipments=0, health=None, last_run=None, cursors={})
    async with db.transaction() as tx:
        book = OrderBook(tx, clock.now())
        order = await book.get(connection, order_id)
        shipments = len(await book.shipments_of(order.id)) if order and order.id else 0
        journal = Journal(tx, clock.now())
        health = (await HealthBook(tx, clock.now()).health()).get(connection)
        runs = await journal.runs(connection=connection, operation=GET_ORDERS.value, limit=1)
        cursors = await Cursors(tx, clock.now()).of(connection, GET_ORDERS.value)
    return _HubFacts(
        order=order,
        shipments=shipments,
        health=(health[0], health[1]) if health else None,
        last_run=runs[0] if runs else None,
        cursors=cursors,
    )


def _imported(connection: str, order_id: str, order: Order, shipments: int) -> ExplainReport:
    facts = {
        "hub order": str(order.id),
        "status": f"{order.status_code} {order.status_name or ''}".strip(),
        "created": _when(order.created_at),
    }
    if order.imported_at is not None:
        facts["imported"] = _when(order.imported_at)
    if order.ack_state is not None:
        facts["acknowledgement"] = f"{order.ack_state.value}: {order.ack_note or '-'}"
    if order.pii_erased_at is not None:
        facts["personal data"] = f"erased {_when(order.pii_erased_at)}"
    facts["shipments"] = str(shipments)
    return ExplainReport(connection=connection, order_id=order_id, imported=True, facts=facts)


def _next_run(
    last: RunRecord | None, interval: float | None, now: datetime, facts: dict[str, str]
) -> str:
    if last is None:
        facts["last get_orders run"] = "never"
        return "the next get_orders run"
    outcome = last.outcome.value + (f" ({last.error})" if last.error else "")
    facts["last get_orders run"] = f"{_when(last.started_at)}, {outcome}"
    if interval is None:
        return "the next get_orders run"
    due = last.started_at + timedelta(seconds=interval)
    facts["interval"] = _duration(interval)
    when = _when(due) if due > now else "now"
    facts["next run"] = f"{when} (last run + interval, while the daemon runs)"
    return f"the next get_orders run (due {when})"


def _position(
    explanation: OrderExplanation,
    cursors: dict[str, str],
    next_run: str,
    connection: str,
    facts: dict[str, str],
) -> str:
    """The order matches the settings: has get_orders read that far yet?"""
    part = explanation.cursor_part
    cursor = cursors.get(part)
    label = f" ({part})" if part else ""
    if cursor is None:
        return f"it has not been polled yet: get_orders has not read{label} yet; {next_run} will"
    facts[f"cursor{label}"] = cursor
    modified = explanation.modified_at
    try:
        position = datetime.fromisoformat(cursor)
    except ValueError:
        position = None
    if modified is None or position is None or modified > position:
        shown = _when(modified) if modified else "?"
        return (
            f"it has not been polled yet: modified {shown}, after get_orders' position "
            f"{_when(position) if position else cursor}{label}; {next_run} imports it"
        )
    return (
        f"it matches the settings and get_orders has read past it (modified {_when(modified)}, "
        f"position {_when(position)}), but it is not in the hub: it may have been skipped as "
        f"unreadable (flxd runs --connection {connection} --operation get_orders); "
        f"flxd run --once {connection} get_orders --full reads everything again"
    )
