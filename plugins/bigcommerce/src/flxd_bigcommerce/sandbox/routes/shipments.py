"""Order shipment endpoints (D:OV2 ``/orders/{order_id}/shipments``)."""

from __future__ import annotations

from aiohttp import web

from flxd_bigcommerce.sandbox.catalog.serialize import dumps
from flxd_bigcommerce.sandbox.orders import shipments as ops
from flxd_bigcommerce.sandbox.orders.serialize import shipment_json
from flxd_bigcommerce.sandbox.routes.context import Call, Endpoint
from flxd_bigcommerce.sandbox.routes.orders import SCOPE, v2_page
from flxd_bigcommerce.sandbox.routes.responses import json_response, no_content, v2_list

__all__ = ["ENDPOINTS"]


async def list_shipments(call: Call) -> web.Response:
    book = call.store.orders
    order = book.order(call.path_int("order_id"))
    page = v2_page(call)
    return v2_list(
        [dumps(shipment_json(order, s)) for s in page.slice(book.shipments_of(order.id))]
    )


async def count_shipments(call: Call) -> web.Response:
    order = call.store.orders.order(call.path_int("order_id"))
    return json_response({"count": len(call.store.orders.shipments_of(order.id))})


async def create_shipment(call: Call) -> web.Response:
    book = call.store.orders
    order_id = call.path_int("order_id")
    shipment = ops.create_shipment(book, order_id, await call.json())
    return json_response(shipment_json(book.order(order_id), shipment), 201)


async def get_shipment(call: Call) -> web.Response:
    book = call.store.orders
    order_id = call.path_int("order_id")
    shipment = ops.get_shipment(book, order_id, call.path_int("shipment_id"))
    return json_response(shipment_json(book.order(order_id), shipment))


async def update_shipment(call: Call) -> web.Response:
    book = call.store.orders
    order_id = call.path_int("order_id")
    payload = await call.json()
    shipment = ops.update_shipment(book, order_id, call.path_int("shipment_id"), payload)
    return json_response(shipment_json(book.order(order_id), shipment))


async def delete_shipment(call: Call) -> web.Response:
    ops.delete_shipment(call.store.orders, call.path_int("order_id"), call.path_int("shipment_id"))
    return no_content()


_BASE = "/v2/orders/{order_id}/shipments"
ENDPOINTS = (
    Endpoint("GET", _BASE, list_shipments, SCOPE, "v2"),
    Endpoint("POST", _BASE, create_shipment, SCOPE, "v2"),
    Endpoint("GET", _BASE + "/count", count_shipments, SCOPE, "v2"),
    Endpoint("GET", _BASE + "/{shipment_id}", get_shipment, SCOPE, "v2"),
    Endpoint("PUT", _BASE + "/{shipment_id}", update_shipment, SCOPE, "v2"),
    Endpoint("DELETE", _BASE + "/{shipment_id}", delete_shipment, SCOPE, "v2"),
)
