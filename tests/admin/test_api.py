"""The admin API: record a shipment (and have it pushed), trigger a run, read the status; every
bad input answered with a status and a message that says where the problem is."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from flxd.hub.health import ConnectionHealth
from flxd.hub.model import Order, OrderLine, ShipmentState
from flxd.hub.orders import OrderBook
from flxd.operation import Operation
from flxd.runs.journal import Journal
from flxd.runs.summary import RunKey
from tests.admin.harness import AdminHarness

# anyio, not pytest-asyncio: a fixture here holds a task group open across its yield.
pytestmark = pytest.mark.anyio


async def shipments(h: AdminHarness, order_id: int = 1) -> list[Any]:
    async with h.db.transaction() as tx:
        return await OrderBook(tx, h.clock.now()).shipments_of(order_id)


async def test_a_recorded_shipment_is_stored_announced_and_pushed(admin: AdminHarness) -> None:
    await admin.run(Operation.GET_ORDERS)
    reply = await admin.call(
        "POST",
        "/api/orders/1/shipments",
        json={
            "carrier": "UPS",
            "tracking_number": "1Z999",
            "method": "ground",
            "items": [{"sku": "MEM-0000-0", "quantity": 1}],
        },
    )
    assert reply.status == 201, reply.text
    body = reply.json()
    assert body["sync_requested"] is True
    assert body["shipment"]["tracking_number"] == "1Z999"
    assert [line["sku"] for line in body["shipment"]["lines"]] == ["MEM-0000-0"]
    await admin.delivery.deliver_pending()
    announced = [e for e in admin.sink.events if e.topic == "shipment.recorded"]
    assert [e.payload["shipment_id"] for e in announced] == [body["shipment"]["id"]]
    # The sync_orders run it asked for pushes the shipment to the channel.
    await admin.runner.wait_idle()
    [shipment] = await shipments(admin)
    assert shipment.state is ShipmentState.PUSHED
    async with admin.db.transaction() as tx:
        order = await OrderBook(tx, admin.clock.now()).get_by_id(1)
    assert order is not None
    remote_order = admin.remote.orders[int(order.channel_order_id)]
    assert [s["tracking"] for s in remote_order.shipments] == ["1Z999"]


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ({"items": [{"sku": "MEM-0000-0", "quantity": 0}]}, "items[0].quantity", "greater than 0"),
        ({"items": [{"sku": "MEM-0000-0", "quantity": "2"}]}, "items[0].quantity", "integer"),
        ({"items": [{"quantity": 1}]}, "items[0].sku", "required"),
        ({"items": [{"sku": "", "quantity": 1}]}, "items[0].sku", "at least 1 character"),
        ({"tracking": "1Z"}, "tracking", "unknown field (did you mean 'tracking_number'?)"),
        ({"items": [{"sku": "A", "quantty": 1}]}, "items[0].quantty", "did you mean 'quantity'?"),
        ({"items": {"sku": "A"}}, "items", "list"),
        ({"carrier": 7}, "carrier", "string"),
        ([1, 2], "body", "expected a JSON object, got list"),
    ],
)
async def test_a_bad_shipment_is_a_400_naming_the_field_and_records_nothing(
    admin: AdminHarness, body: Any, where: str, message: str
) -> None:
    await admin.run(Operation.GET_ORDERS)
    reply = await admin.call("POST", "/api/orders/1/shipments", json=body)
    assert reply.status == 400
    problems = {p["field"]: p["message"] for p in reply.json()["problems"]}
    assert where in problems, problems
    assert message in problems[where]
    assert f"{where}: " in reply.json()["error"]
    assert await shipments(admin) == []


async def test_shipment_errors_outside_the_body(admin: AdminHarness) -> None:
    await admin.run(Operation.GET_ORDERS)
    reply = await admin.call("POST", "/api/orders/1/shipments", data="{not json")
    assert reply.status == 400 and reply.json()["error"].startswith("body: not valid JSON")
    reply = await admin.call("POST", "/api/orders/1/shipments", data="")
    assert reply.status == 400 and reply.json()["error"] == "body: empty; expected a JSON object"
    reply = await admin.call("POST", "/api/orders/abc/shipments", json={})
    assert reply.status == 400 and reply.json()["error"].startswith("order_id:")
    reply = await admin.call("POST", "/api/orders/999/shipments", json={})
    assert (reply.status, reply.json()["error"]) == (404, "no order 999 in the hub")
    # More than the order has left to ship: a conflict with the order, and nothing is kept.
    reply = await admin.call(
        "POST", "/api/orders/1/shipments", json={"items": [{"sku": "MEM-0000-0", "quantity": 5}]}
    )
    assert reply.status == 409 and "MEM-0000-0: 5 requested" in reply.json()["error"]
    assert await shipments(admin) == []
    assert (await admin.call("GET", "/api/orders/1/shipments")).status == 405


async def test_an_order_awaiting_payment_is_shipped_only_when_the_request_says_so(
    admin: AdminHarness,
) -> None:
    async with admin.db.transaction() as tx:
        stored = await OrderBook(tx, admin.clock.now()).store(
            Order(
                connection="mem",
                channel_order_id="77",
                status_code="awaiting_payment",
                status_name=None,
                created_at=admin.clock.now(),
                modified_at=admin.clock.now(),
                grand_total=Decimal("10.00"),
                lines=(OrderLine(channel_line_id="1", sku="MEM-0000-0", name="x", quantity=1),),
            )
        )
    path = f"/api/orders/{stored.id}/shipments"
    refused = await admin.call("POST", path, json={"tracking_number": "T1"})
    assert refused.status == 409
    assert refused.json()["error"].startswith("mem #77 is awaiting_payment: not paid")
    shipped = await admin.call("POST", path, json={"tracking_number": "T1", "unpaid": True})
    assert shipped.status == 201, shipped.text


async def test_the_same_tracking_number_twice_is_one_shipment(admin: AdminHarness) -> None:
    await admin.run(Operation.GET_ORDERS)
    body = {"carrier": "UPS", "tracking_number": "1Z-AGAIN"}
    first = await admin.call("POST", "/api/orders/1/shipments", json=body)
    again = await admin.call("POST", "/api/orders/1/shipments", json=body)
    assert (first.status, again.status) == (201, 200)
    assert again.json()["created"] is False
    assert again.json()["shipment"]["id"] == first.json()["shipment"]["id"]
    assert len(await shipments(admin)) == 1


async def test_a_run_requested_over_the_api_runs(admin: AdminHarness) -> None:
    reply = await admin.call(
        "POST", "/api/runs", json={"connection": "mem", "operation": "get_orders"}
    )
    assert reply.status == 202
    assert reply.json() == {
        "connection": "mem",
        "operation": "get_orders",
        "full": False,
        "after_current_run": False,
    }
    await admin.runner.wait_idle()
    async with admin.db.transaction() as tx:
        [run] = await Journal(tx, admin.clock.now()).runs()
    assert (run.operation, run.trigger, run.counts) == ("get_orders", "api", {"imported": 2})


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"connection": "nope", "operation": "get_orders"}, 404, "'nope' is not configured"),
        ({"connection": "mem", "operation": "get_ordres"}, 400, "operation: Input should be"),
        ({"operation": "get_orders"}, 400, "connection: required"),
        ({"connection": "mem", "operation": "get_orders", "full": "yes"}, 400, "full:"),
    ],
)
async def test_a_run_request_that_cannot_be_honoured(
    admin: AdminHarness, body: Any, status: int, message: str
) -> None:
    reply = await admin.call("POST", "/api/runs", json=body)
    assert reply.status == status
    assert message in reply.json()["error"]
    assert admin.runner.last_summary(RunKey("mem", Operation.GET_ORDERS)) is None


async def test_no_runs_for_a_connection_waiting_for_reauthentication(admin: AdminHarness) -> None:
    admin.runner.health["mem"] = ConnectionHealth.NEEDS_REAUTH
    reply = await admin.call(
        "POST", "/api/runs", json={"connection": "mem", "operation": "get_orders"}
    )
    assert reply.status == 409 and "needs re-authentication" in reply.json()["error"]


async def test_status_as_json(admin: AdminHarness) -> None:
    await admin.run(Operation.GET_ORDERS)
    status = (await admin.call("GET", "/api/status")).json()
    assert status["node"] == "test-node"
    [conn] = status["connections"]
    assert (conn["name"], conn["channel"], conn["health"]) == ("mem", "memory", "active")
    ops = {op["operation"]: op for op in conn["operations"]}
    assert ops["get_orders"]["last_run"]["outcome"] == "ok"
    assert ops["get_orders"]["last_run"]["counts"] == {"imported": 2}
    assert ops["import_listings"]["enabled"] is False
    assert status["backlog"] == {"events": 2}
