"""The Shipment Tracking extension's routes (``wc-shipment-tracking/v3``), served only when
the store has the extension switched on; see :mod:`flxd_woocommerce.sandbox.tracking`."""

from __future__ import annotations

from typing import Any

from flxd_woocommerce.sandbox import tracking
from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.orders.records import Order
from flxd_woocommerce.sandbox.routes.common import ID, created
from flxd_woocommerce.sandbox.routes.endpoint import Call, Endpoint, RestResponse
from flxd_woocommerce.sandbox.schema.args import tracking_create_args

__all__ = ["ENDPOINTS"]

NAMESPACE = "/wc-shipment-tracking/v3"
BASE = NAMESPACE + r"/orders/(?P<order_id>[\d]+)/shipment-trackings"
ONE = BASE + r"/(?P<id>[\w-]+)"
EXTENSION = "shipment-tracking"


def _order(call: Call) -> Order:
    order = call.store.orders.orders.get(call.int_param("order_id"))
    if order is None:
        raise WpError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
    return order


def _json(call: Call, order: Order, item: dict[str, Any]) -> dict[str, Any]:
    base = f"{NAMESPACE}/orders/{order.id}/shipment-trackings"
    links = call.site.links(f"{base}/{item['tracking_id']}", base)
    links["up"] = [{"href": call.site.rest_url(f"/wc/v3/orders/{order.id}")}]
    return tracking.item_json(item, call.site.timezone, links)


async def list_(call: Call) -> RestResponse:
    order = _order(call)
    return RestResponse([_json(call, order, item) for item in tracking.items_of(order)])


async def create(call: Call) -> RestResponse:
    order = _order(call)
    item = tracking.add_item(
        order,
        call.params,
        site_tz=call.site.timezone,
        now=call.now,
        next_meta_id=call.store.ids.next("meta"),
    )
    data = _json(call, order, item)
    return created(
        call, data, f"{NAMESPACE}/orders/{order.id}/shipment-trackings/{item['tracking_id']}"
    )


def _item(call: Call, order: Order) -> dict[str, Any]:
    wanted = str(call.url.get("id", ""))
    for item in tracking.items_of(order):
        if item.get("tracking_id") == wanted:
            return item
    raise WpError(
        404, "woocommerce_rest_shop_order_shipment_tracking_invalid_id", "Invalid tracking ID."
    )


async def get(call: Call) -> RestResponse:
    order = _order(call)
    return RestResponse(_json(call, order, _item(call, order)))


async def delete(call: Call) -> RestResponse:
    order = _order(call)
    item = _item(call, order)
    tracking.delete_item(order, str(item["tracking_id"]))
    return RestResponse(_json(call, order, item))


async def providers(call: Call) -> RestResponse:
    _order(call)
    return RestResponse(tracking.PROVIDERS)


def _ids(*names: str) -> dict[str, Any]:
    return {name: ID for name in names}


ENDPOINTS = (
    Endpoint(BASE, ("GET",), list_, "list", lambda s: _ids("order_id"), EXTENSION),
    Endpoint(BASE, ("POST",), create, "create", lambda s: tracking_create_args(), EXTENSION),
    Endpoint(
        BASE + "/providers", ("GET",), providers, "list", lambda s: _ids("order_id"), EXTENSION
    ),
    Endpoint(
        ONE,
        ("GET",),
        get,
        "view",
        lambda s: {**_ids("order_id"), "id": {"type": "string"}},
        EXTENSION,
    ),
    Endpoint(
        ONE,
        ("DELETE",),
        delete,
        "delete",
        lambda s: {**_ids("order_id"), "id": {"type": "string"}},
        EXTENSION,
    ),
)
