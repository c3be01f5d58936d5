"""Orders and order notes as ``/wc/v3`` renders them: the documented fields, money as strings
with ``dp`` decimals (a line item's ``price`` is a number, as in WooCommerce's own examples),
dates in site time and GMT, every ``meta_data`` row (including ``_``-prefixed ones such as the
Shipment Tracking extension's ``_wc_shipment_tracking_items``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flxd_woocommerce.sandbox.catalog.render import meta_json
from flxd_woocommerce.sandbox.orders.records import Note, Order
from flxd_woocommerce.sandbox.site import Site

__all__ = ["note_json", "order_json"]


def _money(amount: Decimal, dp: int) -> str:
    return f"{amount:.{max(0, dp)}f}"


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def order_json(order: Order, site: Site, *, dp: int = 2) -> dict[str, Any]:
    zero = _money(Decimal("0"), dp)
    links = site.links(f"/wc/v3/orders/{order.id}", "/wc/v3/orders")
    if order.customer_id:
        links["customer"] = [{"href": site.rest_url(f"/wc/v3/customers/{order.customer_id}")}]
    return {
        "id": order.id,
        "parent_id": 0,
        "number": str(order.id),
        "order_key": order.order_key,
        "created_via": order.created_via,
        "version": order.version,
        "status": order.status,
        "currency": order.currency,
        "date_created": site.local(order.created),
        "date_created_gmt": site.gmt(order.created),
        "date_modified": site.local(order.modified),
        "date_modified_gmt": site.gmt(order.modified),
        "discount_total": zero,
        "discount_tax": zero,
        "shipping_total": _money(order.shipping_total, dp),
        "shipping_tax": zero,
        "cart_tax": zero,
        "total": _money(order.total, dp),
        "total_tax": zero,
        "prices_include_tax": False,
        "customer_id": order.customer_id,
        "customer_ip_address": order.customer_ip_address,
        "customer_user_agent": order.customer_user_agent,
        "customer_note": order.customer_note,
        "billing": dict(order.billing),
        "shipping": dict(order.shipping),
        "payment_method": order.payment_method,
        "payment_method_title": order.payment_method_title,
        "transaction_id": order.transaction_id,
        "date_paid": site.local(order.paid),
        "date_paid_gmt": site.gmt(order.paid),
        "date_completed": site.local(order.completed),
        "date_completed_gmt": site.gmt(order.completed),
        "cart_hash": order.cart_hash,
        "meta_data": meta_json(order.meta),
        "line_items": [
            {
                "id": item.id,
                "name": item.name,
                "product_id": item.product_id,
                "variation_id": item.variation_id,
                "quantity": item.quantity,
                "tax_class": "",
                "subtotal": _money(item.total, dp),
                "subtotal_tax": zero,
                "total": _money(item.total, dp),
                "total_tax": zero,
                "taxes": [],
                "meta_data": meta_json(item.meta),
                "sku": item.sku,
                "price": _number(item.unit_price),
            }
            for item in order.line_items
        ],
        "tax_lines": [],
        "shipping_lines": [
            {
                "id": line.id,
                "method_title": line.method_title,
                "method_id": line.method_id,
                "total": _money(line.total, dp),
                "total_tax": zero,
                "taxes": [],
                "meta_data": [],
            }
            for line in order.shipping_lines
        ],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [],
        "_links": links,
    }


def note_json(note: Note, site: Site) -> dict[str, Any]:
    base = f"/wc/v3/orders/{note.order_id}"
    return {
        "id": note.id,
        "author": note.author,
        "date_created": site.local(note.created),
        "date_created_gmt": site.gmt(note.created),
        "note": note.note,
        "customer_note": note.customer_note,
        "_links": site.links(f"{base}/notes/{note.id}", f"{base}/notes", up=base),
    }
