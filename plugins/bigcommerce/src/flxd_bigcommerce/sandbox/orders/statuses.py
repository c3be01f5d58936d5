"""BigCommerce's order statuses (D:OV2#L654-672): ids are stable, labels may be customised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "AWAITING_FULFILLMENT",
    "INCOMPLETE",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "STATUSES",
    "OrderStatus",
    "status_count_json",
    "status_json",
]

INCOMPLETE = 0
SHIPPED = 2
PARTIALLY_SHIPPED = 3
AWAITING_FULFILLMENT = 11


@dataclass(frozen=True, slots=True)
class OrderStatus:
    id: int
    name: str
    description: str
    sort_order: int


STATUSES: dict[int, OrderStatus] = {
    s.id: s
    for s in (
        OrderStatus(
            0,
            "Incomplete",
            "An incomplete order happens when a shopper reached the "
            "payment page, but did not complete the transaction.",
            0,
        ),
        OrderStatus(
            1, "Pending", "Customer started the checkout process, but did not complete it.", 1
        ),
        OrderStatus(
            2,
            "Shipped",
            "Order has been shipped, but receipt has not been "
            "confirmed; seller has used the Ship Items action.",
            8,
        ),
        OrderStatus(
            3,
            "Partially Shipped",
            "Only some items in the order have been "
            "shipped, due to some products being pre-order only or other reasons.",
            6,
        ),
        OrderStatus(4, "Refunded", "Seller has used the Refund action.", 11),
        OrderStatus(
            5,
            "Cancelled",
            "Seller has cancelled an order, due to a stock inconsistency or other reasons.",
            9,
        ),
        OrderStatus(
            6,
            "Declined",
            "Seller has marked the order as declined for lack of manual payment, or other reasons.",
            10,
        ),
        OrderStatus(
            7,
            "Awaiting Payment",
            "Customer has completed checkout process, but payment has yet to be confirmed.",
            2,
        ),
        OrderStatus(
            8,
            "Awaiting Pickup",
            "Order has been pulled, and is awaiting customer "
            "pickup from a seller-specified location.",
            5,
        ),
        OrderStatus(
            9,
            "Awaiting Shipment",
            "Order has been pulled and packaged, and is "
            "awaiting collection from a shipping provider.",
            4,
        ),
        OrderStatus(
            10,
            "Completed",
            "Client has paid for their digital product and their "
            "file(s) are available for download.",
            7,
        ),
        OrderStatus(
            11,
            "Awaiting Fulfillment",
            "Customer has completed the checkout process and payment has been confirmed.",
            3,
        ),
        OrderStatus(
            12,
            "Manual Verification Required",
            "Order on hold while some aspect needs to be manually confirmed.",
            13,
        ),
        OrderStatus(
            13,
            "Disputed",
            "Customer has initiated a dispute resolution process "
            "for the PayPal transaction that paid for the order.",
            12,
        ),
        OrderStatus(14, "Partially Refunded", "Seller has partially refunded the order.", 14),
    )
}


def status_json(status: OrderStatus) -> dict[str, Any]:
    """As ``GET /v2/order_statuses`` lists it."""
    return {**_labels(status), "order": status.sort_order}


def status_count_json(status: OrderStatus, count: int) -> dict[str, Any]:
    """As ``GET /v2/orders/count`` lists it."""
    return {**_labels(status), "count": count, "sort_order": status.sort_order}


def _labels(status: OrderStatus) -> dict[str, Any]:
    return {
        "id": status.id,
        "name": status.name,
        "system_label": status.name,
        "custom_label": status.name,
        "system_description": status.description,
    }
