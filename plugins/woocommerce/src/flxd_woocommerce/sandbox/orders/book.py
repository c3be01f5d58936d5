"""The order book of one store: checkout (as a shopper, or ``POST /orders``), status changes
with their stock effects and notes, REST updates, notes, trash.

What moves ``date_modified`` and fires ``order.updated``: every save of the order itself (a
status change, a REST update, ``meta_data``). What does not: notes (they are comments), and
changes to an order's items (issue 34798, open), which only the control API makes here.
Stock is taken when an order reaches processing, completed or on-hold and given back when it
is cancelled or returned to pending, without touching the products' dates (issue 40060).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from flxd_woocommerce.sandbox.catalog.catalog import Catalog
from flxd_woocommerce.sandbox.catalog.records import Product, Variation
from flxd_woocommerce.sandbox.catalog.writes import apply_meta
from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.ids import IdSequence
from flxd_woocommerce.sandbox.orders.records import LineItem, Note, Order, ShippingLine
from flxd_woocommerce.sandbox.orders.statuses import REDUCES_STOCK, RESTORES_STOCK, OrderStatuses

__all__ = ["CartLine", "OrderBook", "OrderDraft"]

Emit = Callable[[str, str, int], None]
_TEXT_FIELDS = ("customer_note", "payment_method", "payment_method_title", "transaction_id")


@dataclass(frozen=True, slots=True, kw_only=True)
class CartLine:
    product_id: int
    variation_id: int = 0
    quantity: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderDraft:
    """A new order. ``check_stock`` refuses what checkout refuses (unpurchasable products,
    quantities the stock cannot cover); ``POST /orders`` does not check."""

    lines: Sequence[CartLine]
    status: str = "processing"
    billing: Mapping[str, str] = field(default_factory=dict)
    shipping: Mapping[str, str] = field(default_factory=dict)
    customer_id: int = 0
    customer_note: str = ""
    payment_method: str = "stripe"
    payment_method_title: str = "Credit card"
    created_via: str = "checkout"
    shipping_total: Decimal = Decimal("5.00")
    created_at: datetime | None = None
    check_stock: bool = True


class OrderBook:
    def __init__(
        self,
        ids: IdSequence,
        catalog: Catalog,
        statuses: OrderStatuses,
        emit: Emit,
        *,
        wc_version: str,
    ) -> None:
        self.ids = ids
        self.catalog = catalog
        self.statuses = statuses
        self.emit = emit
        self.wc_version = wc_version
        self.orders: dict[int, Order] = {}
        self.notes: dict[int, Note] = {}

    def order(self, order_id: int) -> Order:
        order = self.orders.get(order_id)
        if order is None:
            raise LookupError(f"no order {order_id}")
        return order

    def notes_of(self, order_id: int) -> list[Note]:
        return sorted(
            (n for n in self.notes.values() if n.order_id == order_id),
            key=lambda n: (n.created, n.id),
            reverse=True,
        )

    # ------------------------------------------------------------ checkout

    def _sellable(self, line: CartLine) -> tuple[Product, Variation | None]:
        product = self.catalog.products.get(line.product_id)
        if product is None or product.status == "trash":
            raise WpError(400, "woocommerce_rest_invalid_product_id", "Invalid product ID.")
        variation = None
        if line.variation_id:
            variation = self.catalog.variations.get(line.variation_id)
            if variation is None or variation.product_id != product.id:
                raise WpError(400, "woocommerce_rest_invalid_variation_id", "Invalid variation ID.")
        elif product.type == "variable":
            raise WpError(
                400,
                "woocommerce_rest_invalid_variation_id",
                "A variable product needs a variation.",
            )
        return product, variation

    @staticmethod
    def _check_purchase(item: Product | Variation, name: str, quantity: int) -> None:
        if item.price == "" or item.status != "publish":
            raise ValueError(f"{name!r} cannot be purchased (no price or not published)")
        if item.manage_stock and item.backorders == "no" and (item.stock_quantity or 0) < quantity:
            raise ValueError(f"not enough stock for {name!r}: {item.stock_quantity} left")
        if not item.manage_stock and item.stock_status == "outofstock":
            raise ValueError(f"{name!r} is out of stock")

    def place(self, draft: OrderDraft, now: datetime) -> Order:
        if not draft.lines:
            raise ValueError("an order needs at least one line")
        items = []
        for line in draft.lines:
            if line.quantity < 1:
                raise ValueError("a line's quantity is at least 1")
            product, variation = self._sellable(line)
            item: Product | Variation = variation or product
            name = product.name
            if variation is not None and variation.attributes:
                name += " - " + ", ".join(a.option for a in variation.attributes)
            if draft.check_stock:
                self._check_purchase(item, name, line.quantity)
            items.append(
                LineItem(
                    id=self.ids.next("item"),
                    product_id=product.id,
                    variation_id=variation.id if variation else 0,
                    name=name,
                    sku=item.sku,
                    quantity=line.quantity,
                    unit_price=Decimal(item.price or "0"),
                )
            )
        created = draft.created_at or now
        order_id = self.ids.next("post")
        order = Order(
            id=order_id,
            order_key="wc_order_" + hashlib.sha256(f"key:{order_id}".encode()).hexdigest()[:13],
            status="pending",
            created_via=draft.created_via,
            version=self.wc_version,
            created=created,
            modified=created,
            customer_id=draft.customer_id,
            customer_note=draft.customer_note,
            customer_ip_address="203.0.113.7" if draft.created_via == "checkout" else "",
            customer_user_agent="Mozilla/5.0" if draft.created_via == "checkout" else "",
            payment_method=draft.payment_method,
            payment_method_title=draft.payment_method_title,
            cart_hash=hashlib.md5(f"cart:{order_id}".encode()).hexdigest(),
            line_items=items,
            shipping_lines=[ShippingLine(id=self.ids.next("item"), total=draft.shipping_total)],
        )
        order.billing.update({k: v for k, v in draft.billing.items() if k in order.billing})
        order.shipping.update({k: v for k, v in draft.shipping.items() if k in order.shipping})
        self.orders[order.id] = order
        self.emit("order", "created", order.id)
        if draft.status != "pending":
            self._transition(order, draft.status, created)
        return order

    # ------------------------------------------------------------- changes

    def _transition(self, order: Order, status: str, now: datetime) -> None:
        if status not in self.statuses.all():
            raise ValueError(f"unknown order status {status!r}")
        old = order.status
        if old == status:
            return
        order.status = status
        if status in ("processing", "completed") and order.paid is None:
            order.paid = now
        if status == "completed":
            order.completed = now
        if status in REDUCES_STOCK and not order.stock_reduced:
            self._move_stock(order, +1)
        elif status in RESTORES_STOCK and order.stock_reduced:
            self._move_stock(order, -1)
        self.add_note(
            order,
            f"Order status changed from {self.statuses.label(old)} to "
            f"{self.statuses.label(status)}.",
            now=now,
        )

    def _move_stock(self, order: Order, sign: int) -> None:
        for item in order.line_items:
            target: Product | Variation | None = (
                self.catalog.variations.get(item.variation_id)
                if item.variation_id
                else self.catalog.products.get(item.product_id)
            )
            if target is not None:
                self.catalog.take_stock(target, sign * item.quantity)
        order.stock_reduced = sign > 0

    def set_status(self, order: Order, status: str, now: datetime) -> Order:
        """A status change by checkout, the merchant or the API: saved, so it is modified."""
        self._transition(order, status, now)
        order.modified = now
        self.emit("order", "updated", order.id)
        return order

    def update(self, order: Order, params: Mapping[str, Any], now: datetime) -> Order:
        """``PUT /orders/{id}``: the fields the store models (line items are not edited)."""
        for name in _TEXT_FIELDS:
            if name in params:
                setattr(order, name, str(params[name]))
        if "customer_id" in params:
            order.customer_id = int(params["customer_id"])
        for name in ("billing", "shipping"):
            given = params.get(name)
            if isinstance(given, Mapping):
                address = getattr(order, name)
                address.update({k: str(v) for k, v in given.items() if k in address})
        apply_meta(order.meta, params.get("meta_data"), lambda: self.ids.next("meta"))
        if params.get("set_paid") and order.paid is None:
            self._transition(order, "processing", now)
        if "status" in params:
            self._transition(order, str(params["status"]), now)
        order.modified = now
        self.emit("order", "updated", order.id)
        return order

    def edit_quantities(self, order: Order, quantities: Mapping[int, int]) -> Order:
        """The merchant changes item quantities in the admin: the order's ``date_modified``
        stays where it was (issue 34798) and no webhook fires."""
        for item in order.line_items:
            if item.id in quantities:
                if quantities[item.id] < 1:
                    raise ValueError("a line's quantity is at least 1")
                item.quantity = quantities[item.id]
        return order

    def add_note(
        self,
        order: Order,
        text: str,
        *,
        customer_note: bool = False,
        added_by_user: bool = False,
        now: datetime,
    ) -> Note:
        note = Note(
            id=self.ids.next("comment"),
            order_id=order.id,
            note=text,
            customer_note=customer_note,
            added_by_user=added_by_user,
            created=now,
        )
        self.notes[note.id] = note
        return note

    def trash(self, order: Order, now: datetime) -> Order:
        if order.status != "trash":
            order.trashed_status, order.status = order.status, "trash"
            order.modified = now
            self.emit("order", "deleted", order.id)
        return order

    def delete(self, order: Order) -> Order:
        del self.orders[order.id]
        for note in self.notes_of(order.id):
            del self.notes[note.id]
        return order

    def load(self, orders: list[Order], notes: list[Note]) -> None:
        self.orders = {o.id: o for o in orders}
        self.notes = {n.id: n for n in notes}
