"""The admin API: record a shipment, trigger a run, read the status as JSON.

Every bad input is a 400 naming the field; an unknown order or connection is a 404; a request
the daemon cannot honour in its current state (a paused connection, shutting down) is a 409.
"""

from __future__ import annotations

import json
from typing import Annotated

import structlog
from aiohttp import web
from pydantic import Field, StrictBool, StrictInt

from flxd.admin.payload import Payload, bad_request, read_payload
from flxd.admin.state import STATE, json_error, json_response
from flxd.admin.status import gather_status
from flxd.hub.health import ConnectionHealth
from flxd.hub.orders import OrderBook, ShipmentRejected
from flxd.hub.shipments import ShipmentRequest, record_request
from flxd.operation import Operation
from flxd.runs.runner import Runner
from flxd.runs.summary import RunKey

__all__ = ["record_shipment", "run_refusal", "start_run", "status"]

log = structlog.get_logger("flxd.admin")
Text = Annotated[str, Field(min_length=1, max_length=255)]


class ShipmentItem(Payload):
    sku: Text
    quantity: Annotated[StrictInt, Field(gt=0)]


class ShipmentBody(Payload):
    carrier: Text | None = None
    tracking_number: Text | None = None
    method: Text | None = None
    items: list[ShipmentItem] = Field(default_factory=list)
    """Empty: everything not shipped yet."""
    unpaid: StrictBool = False
    """Ship even though the order's status says it is not paid."""


class RunRequest(Payload):
    connection: Text
    operation: Operation
    full: StrictBool = False


async def record_shipment(request: web.Request) -> web.Response:
    """`POST /api/orders/{order_id}/shipments`: record a shipment of a hub order (201; 200 when
    the order already has a shipment with this tracking number). The connection's next
    sync_orders run pushes it; one is requested right away."""
    state = request.app[STATE]
    raw_id = request.match_info["order_id"]
    if not raw_id.isdigit():
        raise bad_request([("order_id", f"{raw_id!r} is not a hub order id (a number)")])
    body = await read_payload(request, ShipmentBody)
    wanted = ShipmentRequest(
        order=raw_id,
        carrier=body.carrier,
        tracking_number=body.tracking_number,
        method=body.method,
        items=tuple((item.sku, item.quantity) for item in body.items),
        unpaid=body.unpaid,
    )
    async with state.db.transaction() as tx:
        now = state.clock.now()
        if await OrderBook(tx, now).get_by_id(int(raw_id)) is None:
            return json_error(404, f"no order {raw_id} in the hub")
        try:
            recorded = await record_request(tx, now, wanted)
        except ShipmentRejected as exc:
            # Raised inside the transaction, so nothing of it is kept.
            raise web.HTTPConflict(
                text=json.dumps({"error": str(exc)}), content_type="application/json"
            ) from None
    connection = recorded.order.connection
    sync = False
    if recorded.created:
        state.delivery.wake()
        if run_refusal(state.runner, connection, Operation.SYNC_ORDERS) is None:
            key = RunKey(connection, Operation.SYNC_ORDERS)
            sync = state.runner.request(key, trigger="api") is not None
    log.info(
        "shipment recorded" if recorded.created else "shipment already recorded",
        connection=connection,
        hub_order_id=recorded.order.id,
        shipment_id=recorded.shipment.id,
        sync_requested=sync,
    )
    return json_response(
        {"shipment": recorded.shipment, "created": recorded.created, "sync_requested": sync},
        status=201 if recorded.created else 200,
    )


def run_refusal(runner: Runner, connection: str, operation: Operation) -> tuple[int, str] | None:
    """Why a run of (connection, operation) cannot be requested now, as (status, reason);
    None when it can."""
    runtime = runner.connections.get(connection)
    if runtime is None:
        known = ", ".join(sorted(runner.connections)) or "none"
        return 404, f"connection {connection!r} is not configured (configured: {known})"
    if operation not in runtime.config.operations:
        return 404, f"channel {runtime.config.channel!r} does not support {operation.value}"
    if not runtime.config.settings.enabled:
        return 409, f"connection {connection!r} is disabled in the config"
    if runner.health.get(connection) is ConnectionHealth.NEEDS_REAUTH:
        return 409, f"connection {connection!r} needs re-authentication; its runs are paused"
    if runner.draining:
        return 409, "the daemon is shutting down"
    if runner.leases is not None and not runner.leases.holds(connection):
        # Several nodes: only the one holding the connection's lease runs it (flxd status).
        return 409, f"this node does not hold connection {connection!r}; another node runs it"
    return None


async def start_run(request: web.Request) -> web.Response:
    """`POST /api/runs` with `{"connection", "operation", "full"?}`: 202 when the run is queued
    (a run already going for the same key gets one follow-up run, shared by every request)."""
    state = request.app[STATE]
    body = await read_payload(request, RunRequest)
    refusal = run_refusal(state.runner, body.connection, body.operation)
    if refusal is not None:
        return json_error(refusal[0], refusal[1])
    key = RunKey(body.connection, body.operation)
    behind = key in state.runner.running_keys()
    if state.runner.request(key, trigger="api", full=body.full) is None:
        return json_error(409, "the daemon is shutting down")
    log.info("run requested", connection=key.connection, operation=key.operation.value)
    return json_response(
        {
            "connection": key.connection,
            "operation": key.operation.value,
            "full": body.full,
            "after_current_run": behind,
        },
        status=202,
    )


async def status(request: web.Request) -> web.Response:
    """`GET /api/status`: what the status page shows, as JSON."""
    return json_response(await gather_status(request.app[STATE]))
