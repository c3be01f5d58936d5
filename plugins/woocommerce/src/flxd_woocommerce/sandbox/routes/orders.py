"""``/wc/v3/orders``, ``/wc/v3/orders/{id}`` and ``/wc/v3/orders/batch``.

Orders usually come from shoppers (the control API's checkout); ``POST /orders`` creates one
as ``created_via`` ``rest-api`` without checking stock, ``set_paid`` making it processing.
Updates change status (custom statuses included), addresses, payment fields, ``customer_note``
and ``meta_data``; line items are not edited through the API here. An unknown order is
``woocommerce_rest_shop_order_invalid_id`` (404 on read and delete, 400 on update).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flxd_woocommerce.sandbox.errors import WpError, invalid_id
from flxd_woocommerce.sandbox.orders.book import CartLine, OrderDraft
from flxd_woocommerce.sandbox.orders.query import list_orders
from flxd_woocommerce.sandbox.orders.records import Order
from flxd_woocommerce.sandbox.orders.render import order_json
from flxd_woocommerce.sandbox.routes.batch import run_batch
from flxd_woocommerce.sandbox.routes.common import CONTEXT, FORCE, ID, created, forced, listed
from flxd_woocommerce.sandbox.routes.endpoint import Call, Endpoint, RestResponse
from flxd_woocommerce.sandbox.schema.args import batch_args, order_list_args, order_write_args
from flxd_woocommerce.sandbox.store import Store

__all__ = ["ENDPOINTS"]

BASE = "/wc/v3/orders"
ONE = BASE + r"/(?P<id>[\d]+)"


def _order(call: Call, order_id: int, *, missing_status: int = 404) -> Order:
    order = call.store.orders.orders.get(order_id)
    if order is None:
        raise invalid_id("shop_order", missing_status)
    return order


def _dp(call: Call) -> int:
    return int(call.params.get("dp", 2))


def _write_args(store: Store, *, creating: bool) -> dict[str, Any]:
    return order_write_args(store.statuses.custom, creating=creating)


async def list_(call: Call) -> RestResponse:
    rows = list_orders(
        call.store.orders,
        call.params,
        call.site.timezone,
        now=call.now,
        lag_s=call.store.order_lag_s,
    )
    return listed(call, rows, lambda o: order_json(o, call.site, dp=_dp(call)), BASE)


async def get(call: Call) -> RestResponse:
    return RestResponse(order_json(_order(call, call.int_param("id")), call.site, dp=_dp(call)))


def _address(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def _lines(params: Mapping[str, Any]) -> list[CartLine]:
    lines = []
    for item in params.get("line_items") or []:
        if not isinstance(item, Mapping):
            continue
        if not item.get("product_id"):
            raise WpError(
                400,
                "woocommerce_rest_required_product_reference",
                "Product ID or SKU is required.",
            )
        lines.append(
            CartLine(
                product_id=int(item["product_id"]),
                variation_id=int(item.get("variation_id") or 0),
                quantity=max(1, int(item.get("quantity") or 1)),
            )
        )
    return lines


async def _create(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("id"):
        raise WpError(
            400, "woocommerce_rest_shop_order_exists", "Cannot create existing shop_order."
        )
    status = "processing" if params.get("set_paid") else str(params.get("status") or "pending")
    draft = OrderDraft(
        lines=_lines(params),
        status=status,
        billing=_address(params.get("billing")),
        shipping=_address(params.get("shipping")),
        customer_id=int(params.get("customer_id") or 0),
        customer_note=str(params.get("customer_note") or ""),
        payment_method=str(params.get("payment_method") or ""),
        payment_method_title=str(params.get("payment_method_title") or ""),
        created_via="rest-api",
        check_stock=False,
    )
    try:
        order = call.store.orders.place(draft, call.now)
    except ValueError as exc:
        raise WpError(400, "woocommerce_rest_shop_order_not_created", str(exc)) from None
    if params.get("meta_data"):
        call.store.orders.update(order, {"meta_data": params["meta_data"]}, call.now)
    return order_json(order, call.site, dp=_dp(call))


async def create(call: Call) -> RestResponse:
    data = await _create(call, call.params)
    return created(call, data, f"{BASE}/{data['id']}")


async def _update(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    order = _order(call, int(params.get("id") or 0), missing_status=400)
    status = params.get("status")
    if status is not None and str(status) not in call.store.statuses.all():
        raise WpError(400, "woocommerce_rest_shop_order_invalid_status", "Invalid order status.")
    call.store.orders.update(order, params, call.now)
    return order_json(order, call.site, dp=_dp(call))


async def update(call: Call) -> RestResponse:
    return RestResponse(await _update(call, call.params))


async def _delete(call: Call, order_id: int, force: bool) -> dict[str, Any]:
    order = _order(call, order_id)
    data = order_json(order, call.site, dp=_dp(call))
    if force:
        call.store.orders.delete(order)
        return data
    return order_json(call.store.orders.trash(order, call.now), call.site, dp=_dp(call))


async def delete(call: Call) -> RestResponse:
    return RestResponse(await _delete(call, call.int_param("id"), forced(call)))


async def batch(call: Call) -> RestResponse:
    return await run_batch(
        call,
        create_args=_write_args(call.store, creating=True),
        update_args=_write_args(call.store, creating=False),
        create=lambda params: _create(call, params),
        update=lambda params: _update(call, params),
        delete=lambda item_id: _delete(call, item_id, True),
    )


ENDPOINTS = (
    Endpoint(BASE, ("GET",), list_, "list", lambda s: order_list_args(s.statuses.custom)),
    Endpoint(BASE, ("POST",), create, "create", lambda s: _write_args(s, creating=True)),
    Endpoint(
        ONE,
        ("GET",),
        get,
        "view",
        lambda s: {"id": ID, "context": CONTEXT, "dp": {"type": "integer", "default": 2}},
    ),
    Endpoint(
        ONE, ("POST", "PUT", "PATCH"), update, "edit", lambda s: _write_args(s, creating=False)
    ),
    Endpoint(ONE, ("DELETE",), delete, "delete", lambda s: {"id": ID, **FORCE}),
    Endpoint(
        BASE + "/batch",
        ("POST", "PUT", "PATCH"),
        batch,
        "batch",
        lambda s: batch_args(_write_args(s, creating=False)),
    ),
)
