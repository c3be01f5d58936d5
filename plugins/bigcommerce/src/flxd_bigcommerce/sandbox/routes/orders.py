"""Orders V2 endpoints (D:OV2): bare JSON arrays, 204 for empty lists, V2 error arrays."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp import web

from flxd_bigcommerce.sandbox.catalog.serialize import dumps
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.orders.query import select_orders
from flxd_bigcommerce.sandbox.orders.records import Order
from flxd_bigcommerce.sandbox.orders.serialize import (
    consignments_json,
    order_json,
    order_product_json,
    shipping_address_json,
)
from flxd_bigcommerce.sandbox.orders.statuses import STATUSES, status_count_json, status_json
from flxd_bigcommerce.sandbox.pagination import PageRequest, clamped, parse_page
from flxd_bigcommerce.sandbox.routes.context import Call, Endpoint
from flxd_bigcommerce.sandbox.routes.responses import json_response, v2_list

__all__ = ["ENDPOINTS", "MAX_LIMIT", "SCOPE", "v2_page"]

SCOPE = "store_v2_orders"
# The V2 maximum page size is not in the spec; 250 is the V2 convention (API.md §9.1).
MAX_LIMIT = 250
_WRITABLE = frozenset(
    {"status_id", "staff_notes", "customer_message", "is_deleted", "external_order_id"}
)
_READ_ONLY = frozenset(
    {
        "id",
        "date_created",
        "date_modified",
        "date_shipped",
        "status",
        "items_total",
        "items_shipped",
        "subtotal_ex_tax",
        "subtotal_inc_tax",
        "total_ex_tax",
        "total_inc_tax",
        "total_tax",
        "customer_id",
    }
)


def v2_page(call: Call) -> PageRequest:
    """``page``/``limit`` of a V2 list: 413 past 250, clamped by the pessimistic behaviour."""
    return clamped(parse_page(call.query, max_limit=MAX_LIMIT), call.pessimism.v2_page_limit)


def _includes(call: Call) -> set[str]:
    return {p for p in call.query.get("include", "").split(",") if p}


def _order_bytes(call: Call, order: Order) -> bytes:
    includes = _includes(call)
    base = call.v2_base
    if not includes & {"consignments", "consignments.line_items"}:
        cached = call.store.orders.json_cache.get(order.id)
        if cached is not None and cached[0] == base:
            return bytes(cached[1])
        body = dumps(order_json(order, base))
        call.store.orders.json_cache[order.id] = (base, body)
        return body
    data = order_json(order, base)
    consignment = consignments_json(order, base, line_items="consignments.line_items" in includes)
    # consignment_structure=object is the documented shape; without it BigCommerce still sends
    # the older array-wrapped structure (UNCONFIRMED; see the package docs).
    object_form = call.query.get("consignment_structure") == "object"
    data["consignments"] = consignment if object_form else [consignment]
    return dumps(data)


async def list_orders(call: Call) -> web.Response:
    page = v2_page(call)
    book = call.store.orders
    ids = page.slice(select_orders(book, call.query, now=call.now))
    return v2_list([_order_bytes(call, book.orders[i]) for i in ids])


async def count_orders(call: Call) -> web.Response:
    """``count`` is what the same query would list; ``statuses`` counts every status,
    incomplete orders included."""
    book = call.store.orders
    unfiltered_status = {k: v for k, v in call.query.items() if k != "status_id"}
    per_status = dict.fromkeys(STATUSES, 0)
    for order_id in select_orders(book, unfiltered_status, now=call.now, include_incomplete=True):
        per_status[book.orders[order_id].status_id] += 1
    total = len(select_orders(book, call.query, now=call.now))
    statuses = [status_count_json(STATUSES[s], count) for s, count in per_status.items()]
    return json_response({"statuses": statuses, "count": total})


async def get_order(call: Call) -> web.Response:
    order = call.store.orders.order(call.path_int("order_id"))
    return json_response(_order_bytes(call, order))


async def update_order(call: Call) -> web.Response:
    book = call.store.orders
    order = book.order(call.path_int("order_id"))
    payload = await call.json()
    if not isinstance(payload, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    for name in payload:
        if name in _READ_ONLY:
            raise ApiError(
                400,
                f"The field '{name}' cannot be written to. Please remove it from your request "
                "before trying again.",
            )
        if name not in _WRITABLE:
            raise ApiError(400, f"The sandbox does not support writing '{name}' to an order.")
    changes: dict[str, Any] = {}
    for name, value in payload.items():
        expected = bool if name == "is_deleted" else int if name == "status_id" else str
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ApiError(400, f"The field '{name}' has an invalid value.")
        changes[name] = value
    if "status_id" in changes and changes["status_id"] not in STATUSES:
        raise ApiError(400, f"The status_id {changes['status_id']} is not a valid order status.")
    saved = book.change(replace(order, **changes))
    return json_response(_order_bytes(call, saved))


async def list_order_products(call: Call) -> web.Response:
    order = call.store.orders.order(call.path_int("order_id"))
    page = v2_page(call)
    return v2_list([dumps(order_product_json(order, x)) for x in page.slice(order.lines)])


async def get_order_product(call: Call) -> web.Response:
    order = call.store.orders.order(call.path_int("order_id"))
    line = order.line(call.path_int("product_id"))
    if line is None:
        raise ApiError(404, "The requested resource was not found.")
    return json_response(order_product_json(order, line))


async def list_shipping_addresses(call: Call) -> web.Response:
    order = call.store.orders.order(call.path_int("order_id"))
    page = v2_page(call)
    return v2_list(
        [
            dumps(shipping_address_json(order, a, call.v2_base))
            for a in page.slice(order.shipping_addresses)
        ]
    )


async def get_shipping_address(call: Call) -> web.Response:
    order = call.store.orders.order(call.path_int("order_id"))
    address_id = call.path_int("address_id")
    found = next((a for a in order.shipping_addresses if a.id == address_id), None)
    if found is None:
        raise ApiError(404, "The requested resource was not found.")
    return json_response(shipping_address_json(order, found, call.v2_base))


async def get_consignments(call: Call) -> web.Response:
    order = call.store.orders.order(call.path_int("order_id"))
    return json_response(consignments_json(order, call.v2_base, line_items=False))


async def list_statuses(call: Call) -> web.Response:
    return json_response([status_json(s) for s in STATUSES.values()])


async def get_status(call: Call) -> web.Response:
    status = STATUSES.get(call.path_int("status_id"))
    if status is None:
        raise ApiError(404, "The requested resource was not found.")
    return json_response(status_json(status))


_ORDER = "/v2/orders/{order_id}"
ENDPOINTS = (
    Endpoint("GET", "/v2/orders", list_orders, SCOPE, "v2"),
    Endpoint("GET", "/v2/orders/count", count_orders, SCOPE, "v2"),
    Endpoint("GET", _ORDER, get_order, SCOPE, "v2"),
    Endpoint("PUT", _ORDER, update_order, SCOPE, "v2"),
    Endpoint("GET", _ORDER + "/products", list_order_products, SCOPE, "v2"),
    Endpoint("GET", _ORDER + "/products/{product_id}", get_order_product, SCOPE, "v2"),
    Endpoint("GET", _ORDER + "/shipping_addresses", list_shipping_addresses, SCOPE, "v2"),
    Endpoint("GET", _ORDER + "/shippingaddresses", list_shipping_addresses, SCOPE, "v2"),
    Endpoint("GET", _ORDER + "/shipping_addresses/{address_id}", get_shipping_address, SCOPE, "v2"),
    Endpoint("GET", _ORDER + "/consignments", get_consignments, SCOPE, "v2"),
    Endpoint("GET", "/v2/order_statuses", list_statuses, SCOPE, "v2"),
    Endpoint("GET", "/v2/order_statuses/{status_id}", get_status, SCOPE, "v2"),
)
