"""A BigCommerce V2 order as the hub's Order: totals as Decimal, dates as aware UTC, lines with
their order-product ids (what shipments need) and the shipping address each ships to.

The lines and addresses come from the order's consignments (``include=consignments.line_items``,
one request per page of orders). When an answer lacks them (consignments not included, or
line items given as links), `needs_subresources` says so and the caller fetches the order's
``/products`` and ``/shipping_addresses`` instead.

Error messages name fields, never their values where those are personal data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from flxd.plugin import Address, Order, OrderLine, RecordError
from flxd_bigcommerce.parse import money, objects, parse_date, text, whole
from flxd_bigcommerce.statuses import STATUS_NAMES

__all__ = ["map_order", "needs_subresources", "order_id_of", "status_of"]

_ADDRESS_FIELDS = ("company", "street_1", "street_2", "city", "state", "zip", "country")


def order_id_of(raw: Mapping[str, Any]) -> int:
    return whole(raw.get("id"), "id", minimum=1)


def status_of(raw: Mapping[str, Any]) -> int:
    return whole(raw.get("status_id"), "status_id", minimum=0)


def _consignments(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
    found = raw.get("consignments")
    # consignment_structure=object gives the object; without it BigCommerce wraps it in a list.
    if isinstance(found, list) and len(found) == 1:
        found = found[0]
    return found if isinstance(found, Mapping) else None


def _is_product(item: Any) -> bool:
    """A full order product, not a `{url, resource}` link to one."""
    return isinstance(item, Mapping) and "id" in item and "quantity" in item


def _groups(consignments: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any] | None, Any]]:
    """(shipping consignment or None, its line items) for every kind of consignment. A part
    that is not what BigCommerce documents refuses the order: skipping it would store the
    order without some of its lines."""
    for shipping in objects(consignments.get("shipping"), "consignments.shipping"):
        yield shipping, shipping.get("line_items")
    for kind in ("pickups", "downloads"):
        for group in objects(consignments.get(kind), f"consignments.{kind}"):
            yield None, group.get("line_items")
    email = consignments.get("email")
    if email is not None and not isinstance(email, Mapping):
        raise RecordError(f"consignments.email: expected an object, got {type(email).__name__}")
    if email is not None:
        for group in objects(email.get("gift_certificates"), "consignments.email"):
            yield None, group.get("line_items")


def _items(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]  # a digital consignment may hold a single link


def needs_subresources(raw: Mapping[str, Any]) -> bool:
    """True when the answer does not carry the order's products in its consignments."""
    consignments = _consignments(raw)
    if consignments is None:
        return True
    items = [item for _, group in _groups(consignments) for item in _items(group)]
    expected = raw.get("items_total")
    if not items:
        return not (isinstance(expected, int) and expected == 0)
    return not all(_is_product(item) for item in items)


def map_order(
    connection: str,
    raw: Mapping[str, Any],
    *,
    products: Sequence[Mapping[str, Any]] | None = None,
    shipping_addresses: Sequence[Mapping[str, Any]] | None = None,
) -> Order:
    """Map one V2 order. Pass `products` and `shipping_addresses` when they were fetched
    separately (see `needs_subresources`); otherwise the consignments are read."""
    try:
        order_id = order_id_of(raw)
    except RecordError as exc:
        raise RecordError(str(exc), record="order without a readable id") from None
    try:
        status = status_of(raw)
        if products is not None:
            lines = [_line(p, None) for p in products]
            addresses = [_address(a) for a in shipping_addresses or ()]
        else:
            lines, addresses = _from_consignments(raw)
        billing = raw.get("billing_address")
        billing = billing if isinstance(billing, Mapping) else {}
        return Order(
            connection=connection,
            channel_order_id=str(order_id),
            status_code=str(status),
            status_name=text(raw.get("status"), "status") or STATUS_NAMES.get(status),
            created_at=parse_date(raw.get("date_created"), "date_created"),
            modified_at=parse_date(raw.get("date_modified"), "date_modified"),
            currency=text(raw.get("currency_code"), "currency_code"),
            subtotal=money(raw.get("subtotal_ex_tax"), "subtotal_ex_tax", required=False),
            shipping_total=money(
                raw.get("shipping_cost_ex_tax"), "shipping_cost_ex_tax", required=False
            ),
            tax_total=money(raw.get("total_tax"), "total_tax", required=False),
            discount_total=_discount(raw),
            grand_total=_required_money(raw.get("total_inc_tax"), "total_inc_tax"),
            customer_name=_name(billing),
            customer_email=text(billing.get("email"), "email"),
            customer_phone=text(billing.get("phone"), "phone"),
            billing_address=_address(billing, channel_address_id="billing") if billing else None,
            lines=tuple(lines),
            addresses=tuple(addresses),
        )
    except RecordError as exc:
        raise RecordError(str(exc), record=f"order {order_id}") from None


def _from_consignments(raw: Mapping[str, Any]) -> tuple[list[OrderLine], list[Address]]:
    consignments = _consignments(raw)
    if consignments is None:
        raise RecordError("consignments: missing (include=consignments.line_items)")
    lines: list[OrderLine] = []
    addresses: list[Address] = []
    for shipping, group in _groups(consignments):
        ships_to = None
        if shipping is not None:
            address = _address(shipping)
            addresses.append(address)
            ships_to = address.channel_address_id
        lines.extend(_line(item, ships_to) for item in _items(group))
    return lines, addresses


def _required_money(value: Any, field: str) -> Decimal:
    amount = money(value, field)
    assert amount is not None  # required=True raises instead of returning None
    return amount


def _discount(raw: Mapping[str, Any]) -> Decimal | None:
    # BigCommerce reports coupon discounts apart from other discounts.
    parts = [
        money(raw.get(name), name, required=False)
        for name in ("discount_amount", "coupon_discount")
    ]
    found = [p for p in parts if p is not None]
    return sum(found, Decimal(0)) if found else None


def _name(fields: Mapping[str, Any]) -> str | None:
    first, last = (
        text(fields.get("first_name"), "first_name"),
        text(fields.get("last_name"), "last_name"),
    )
    return " ".join(p for p in (first, last) if p) or None


def _address(fields: Mapping[str, Any], *, channel_address_id: str | None = None) -> Address:
    if channel_address_id is None:
        channel_address_id = str(whole(fields.get("id"), "shipping address id", minimum=0))
    method = fields.get("shipping_method")
    return Address(
        channel_address_id=channel_address_id,
        name=_name(fields),
        country_code=text(fields.get("country_iso2"), "country_iso2"),
        phone=text(fields.get("phone"), "phone"),
        email=text(fields.get("email"), "email"),
        shipping_method=text(method, "shipping_method") if isinstance(method, str) else None,
        **{name: text(fields.get(name), name) for name in _ADDRESS_FIELDS},
    )


def _line(item: Any, ships_to: str | None) -> OrderLine:
    if not _is_product(item):
        raise RecordError("line_items: expected order products, got links")
    line_id = whole(item.get("id"), "order product id", minimum=1)
    address = item.get("order_address_id")
    if ships_to is None and isinstance(address, int) and not isinstance(address, bool) and address:
        ships_to = str(address)
    return OrderLine(
        channel_line_id=str(line_id),
        sku=text(item.get("sku"), "sku"),
        name=text(item.get("name"), "name"),
        quantity=whole(item.get("quantity"), f"order product {line_id} quantity", minimum=0),
        unit_price=money(
            item.get("price_ex_tax"), f"order product {line_id} price_ex_tax", required=False
        ),
        total=money(
            item.get("total_ex_tax"), f"order product {line_id} total_ex_tax", required=False
        ),
        channel_address_id=ships_to,
    )
