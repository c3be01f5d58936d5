"""Order shipments (D:OV2#L741-830; D:ODOC#L66-105).

``POST`` needs ``order_address_id`` and ``items`` of ``{order_product_id, quantity}``; an item may
not ship more than is still unshipped on its line. The spec documents no error response for this
endpoint, so the sandbox answers invalid requests with 400 and a V2 error array, the code
BigCommerce uses for bad V2 requests. After a shipment the order moves to Shipped (2) when every
item has shipped and to Partially Shipped (3) otherwise, as the control panel does.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flxd_bigcommerce.sandbox.dates import whole_seconds
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.orders.book import OrderBook
from flxd_bigcommerce.sandbox.orders.records import Order, Shipment, ShipmentItem
from flxd_bigcommerce.sandbox.orders.statuses import PARTIALLY_SHIPPED, SHIPPED

__all__ = ["create_shipment", "delete_shipment", "get_shipment", "update_shipment"]

PROVIDERS = frozenset(
    {
        "",
        "auspost",
        "canadapost",
        "endicia",
        "usps",
        "fedex",
        "royalmail",
        "ups",
        "upsready",
        "upsonline",
        "shipperhq",
    }
)
_CARRIER = re.compile(r"^carrier_\d+$")


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    order_product_id: int
    quantity: int


class _ShipmentWrite(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    order_address_id: int | None = None
    items: list[_Item] | None = None
    tracking_number: Annotated[str, Field(max_length=50)] | None = None
    tracking_link: Annotated[str, Field(max_length=500)] | None = None
    shipping_provider: str | None = None
    tracking_carrier: str | None = None
    shipping_method: str | None = None
    merchant_shipping_cost: Decimal | None = None
    comments: Annotated[str, Field(max_length=65535)] | None = None


def _bad(message: str) -> ApiError:
    return ApiError(400, message)


def _parse(payload: Any) -> _ShipmentWrite:
    if not isinstance(payload, dict):
        raise _bad("The request body must be a JSON object.")
    try:
        write = _ShipmentWrite.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise _bad(f"The field '{field}' is invalid: {first['msg']}") from None
    provider = write.shipping_provider
    if provider is not None and provider not in PROVIDERS and not _CARRIER.match(provider):
        raise _bad(f"The field 'shipping_provider' has an invalid value '{provider}'.")
    return write


def _tracking_fields(write: _ShipmentWrite) -> dict[str, Any]:
    names = (
        "tracking_number",
        "tracking_link",
        "shipping_provider",
        "tracking_carrier",
        "shipping_method",
        "merchant_shipping_cost",
        "comments",
    )
    return {n: getattr(write, n) for n in names if getattr(write, n) is not None}


def get_shipment(book: OrderBook, order_id: int, shipment_id: int) -> Shipment:
    book.order(order_id)
    found = book.shipments.get(shipment_id)
    if found is None or found.order_id != order_id:
        raise ApiError(404, "The requested resource was not found.")
    return found


def create_shipment(book: OrderBook, order_id: int, payload: Any) -> Shipment:
    order = book.order(order_id)
    write = _parse(payload)
    if write.order_address_id is None:
        raise _bad("The required field 'order_address_id' was not supplied.")
    if not write.items:
        raise _bad("The required field 'items' was not supplied.")
    if all(a.id != write.order_address_id for a in order.shipping_addresses):
        raise _bad(f"The order address {write.order_address_id} does not belong to the order.")
    wanted: Counter[int] = Counter()
    for item in write.items:
        line = order.line(item.order_product_id)
        if line is None:
            raise _bad(f"The order product {item.order_product_id} does not belong to the order.")
        if line.order_address_id != write.order_address_id:
            raise _bad(
                f"The order product {line.id} ships to another address than "
                f"{write.order_address_id}."
            )
        if item.quantity < 1:
            raise _bad(f"The quantity for order product {line.id} must be at least 1.")
        wanted[line.id] += item.quantity
    for line_id, quantity in wanted.items():
        line = order.line(line_id)
        assert line is not None
        if quantity > line.unshipped:
            raise _bad(
                f"The quantity {quantity} for order product {line_id} exceeds the "
                f"{line.unshipped} not yet shipped."
            )
    now = whole_seconds(book.clock.now())
    shipment = Shipment(
        id=book.ids.take("shipment"),
        order_id=order_id,
        order_address_id=write.order_address_id,
        date_created=now,
        items=tuple(
            ShipmentItem(
                order_product_id=i.order_product_id,
                product_id=_line_product(order, i.order_product_id),
                quantity=i.quantity,
            )
            for i in write.items
        ),
        **_tracking_fields(write),
    )
    book.put_shipment(shipment)
    book.change(_shipped(order, wanted, now))
    book.emit(
        "store/shipment/created", {"type": "shipment", "id": shipment.id, "orderId": order_id}
    )
    return shipment


def _line_product(order: Order, order_product_id: int) -> int:
    line = order.line(order_product_id)
    assert line is not None
    return line.product_id


def _shipped(order: Order, wanted: Counter[int], now: Any) -> Order:
    lines = tuple(
        replace(x, quantity_shipped=x.quantity_shipped + wanted[x.id]) if x.id in wanted else x
        for x in order.lines
    )
    order = replace(order, lines=lines)
    if order.items_shipped >= order.items_total:
        return replace(order, status_id=SHIPPED, date_shipped=now)
    return replace(order, status_id=PARTIALLY_SHIPPED)


def update_shipment(book: OrderBook, order_id: int, shipment_id: int, payload: Any) -> Shipment:
    """Tracking details may change; what shipped may not."""
    shipment = get_shipment(book, order_id, shipment_id)
    updated = replace(shipment, **_tracking_fields(_parse(payload)))
    book.put_shipment(updated)
    book.emit(
        "store/shipment/updated", {"type": "shipment", "id": shipment_id, "orderId": order_id}
    )
    return updated


def delete_shipment(book: OrderBook, order_id: int, shipment_id: int) -> None:
    """The items become unshipped again, but the order keeps its status (D:ODOC#L104)."""
    shipment = get_shipment(book, order_id, shipment_id)
    order = book.order(order_id)
    returned: Counter[int] = Counter()
    for item in shipment.items:
        returned[item.order_product_id] += item.quantity
    lines = tuple(
        replace(x, quantity_shipped=max(0, x.quantity_shipped - returned[x.id]))
        for x in order.lines
    )
    book.drop_shipment(shipment_id)
    book.change(replace(order, lines=lines))
    book.emit(
        "store/shipment/deleted", {"type": "shipment", "id": shipment_id, "orderId": order_id}
    )
