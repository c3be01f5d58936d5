"""A WooCommerce order as the hub's Order: totals as Decimal, dates as aware UTC (from the
`*_gmt` fields), lines with their line-item ids and SKUs, the billing customer, and the one
shipping address WooCommerce keeps per order (`shipping`; every line ships there).

Error messages name fields, never their values where those are personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flxd.plugin import Address, Order, OrderLine, RecordError
from flxd_woocommerce.parse import gmt_date, money, objects, shown, text, whole
from flxd_woocommerce.statuses import label_of

__all__ = ["SHIPPING", "map_order", "order_id_of"]

SHIPPING = "shipping"
"""The channel address id of an order's shipping address (WooCommerce keeps one)."""
_ADDRESS = {
    "company": "company",
    "street_1": "address_1",
    "street_2": "address_2",
    "city": "city",
    "state": "state",
    "zip": "postcode",
    "country_code": "country",
}


def order_id_of(raw: Any) -> int:
    if not isinstance(raw, Mapping):
        raise RecordError(f"expected an order object, got {type(raw).__name__}", record="order")
    value = raw.get("id")
    try:
        return whole(value, "id", minimum=1)
    except RecordError as exc:
        raise RecordError(str(exc), record=f"order {shown(value)}") from None


def map_order(connection: str, raw: Mapping[str, Any]) -> Order:
    order_id = order_id_of(raw)
    try:
        status = text(raw.get("status"), "status")
        if status is None:
            raise RecordError("status: missing")
        created = gmt_date(raw.get("date_created_gmt"), "date_created_gmt")
        modified = gmt_date(raw.get("date_modified_gmt"), "date_modified_gmt")
        assert created is not None and modified is not None
        billing = _object(raw.get("billing"), "billing")
        shipping = _object(raw.get("shipping"), SHIPPING)
        address = _address(shipping, SHIPPING) if _filled(shipping) else None
        lines = tuple(
            _line(item, SHIPPING if address is not None else None)
            for item in objects(raw.get("line_items"), "line_items")
        )
        subtotals = [
            line_subtotal
            for item in objects(raw.get("line_items"), "line_items")
            if (line_subtotal := money(item.get("subtotal"), "line_items.subtotal")) is not None
        ]
        total = money(raw.get("total"), "total", required=True)
        assert total is not None
        return Order(
            connection=connection,
            channel_order_id=str(order_id),
            status_code=status,
            status_name=label_of(status),
            created_at=created,
            modified_at=modified,
            currency=text(raw.get("currency"), "currency"),
            subtotal=sum(subtotals, Decimal(0)) if subtotals else None,
            shipping_total=money(raw.get("shipping_total"), "shipping_total"),
            tax_total=money(raw.get("total_tax"), "total_tax"),
            discount_total=money(raw.get("discount_total"), "discount_total"),
            grand_total=total,
            customer_name=_name(billing),
            customer_email=text(billing.get("email"), "billing.email"),
            customer_phone=text(billing.get("phone"), "billing.phone"),
            billing_address=_address(billing, "billing") if _filled(billing) else None,
            lines=lines,
            addresses=(address,) if address is not None else (),
        )
    except RecordError as exc:
        raise RecordError(str(exc), record=f"order {order_id}") from None


def _object(value: Any, field: str) -> Mapping[str, Any]:
    if value is None or value == []:  # PHP's empty array comes as [] rather than {}
        return {}
    if not isinstance(value, Mapping):
        raise RecordError(f"{field}: expected an object, got {type(value).__name__}")
    return value


def _filled(fields: Mapping[str, Any]) -> bool:
    return any(isinstance(v, str) and v.strip() for v in fields.values())


def _name(fields: Mapping[str, Any]) -> str | None:
    first = text(fields.get("first_name"), "first_name")
    last = text(fields.get("last_name"), "last_name")
    return " ".join(p for p in (first, last) if p) or None


def _address(fields: Mapping[str, Any], channel_address_id: str) -> Address:
    return Address(
        channel_address_id=channel_address_id,
        name=_name(fields),
        phone=text(fields.get("phone"), f"{channel_address_id}.phone"),
        email=text(fields.get("email"), f"{channel_address_id}.email"),
        **{
            ours: text(fields.get(theirs), f"{channel_address_id}.{theirs}")
            for ours, theirs in _ADDRESS.items()
        },
    )


def _line(item: Mapping[str, Any], ships_to: str | None) -> OrderLine:
    line_id = whole(item.get("id"), "line item id", minimum=1)
    where = f"line item {line_id}"
    return OrderLine(
        channel_line_id=str(line_id),
        sku=text(item.get("sku"), f"{where} sku"),
        name=text(item.get("name"), f"{where} name"),
        quantity=whole(item.get("quantity"), f"{where} quantity", minimum=0),
        unit_price=money(item.get("price"), f"{where} price"),
        total=money(item.get("total"), f"{where} total"),
        channel_address_id=ships_to,
    )
