"""Orders in BigCommerce's V2 JSON: RFC-2822 dates in UTC, money as four-decimal strings,
sub-resources as ``{url, resource}`` links under the request's own base URL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flxd_bigcommerce.sandbox.dates import format_rfc2822
from flxd_bigcommerce.sandbox.orders.records import (
    Address,
    Order,
    OrderLine,
    OrderShippingAddress,
    Shipment,
)
from flxd_bigcommerce.sandbox.orders.statuses import STATUSES

__all__ = [
    "consignments_json",
    "money",
    "order_json",
    "order_product_json",
    "shipment_json",
    "shipping_address_json",
]

_ZERO = "0.0000"
_CONSIGNMENT_NUMBERS = (
    "base_cost",
    "cost_ex_tax",
    "cost_inc_tax",
    "cost_tax",
    "base_handling_cost",
    "handling_cost_ex_tax",
    "handling_cost_inc_tax",
    "handling_cost_tax",
)


def money(value: Decimal) -> str:
    return f"{value:.4f}"


def _link(v2_base: str, resource: str) -> dict[str, str]:
    return {"url": f"{v2_base}{resource}", "resource": resource}


def _address(address: Address) -> dict[str, Any]:
    return {
        "first_name": address.first_name,
        "last_name": address.last_name,
        "company": address.company,
        "street_1": address.street_1,
        "street_2": address.street_2,
        "city": address.city,
        "state": address.state,
        "zip": address.zip,
        "country": address.country,
        "country_iso2": address.country_iso2,
        "phone": address.phone,
        "email": address.email,
    }


def order_json(order: Order, v2_base: str) -> dict[str, Any]:
    """``v2_base`` is e.g. ``http://127.0.0.1:8080/stores/abc123/v2``."""
    shipping_inc = order.shipping_ex_tax + order.shipping_tax
    prefix = f"/orders/{order.id}"
    return {
        "id": order.id,
        "customer_id": order.customer_id,
        "date_created": format_rfc2822(order.date_created),
        "date_modified": format_rfc2822(order.date_modified),
        "date_shipped": format_rfc2822(order.date_shipped) if order.date_shipped else "",
        "status_id": order.status_id,
        "status": STATUSES[order.status_id].name,
        "subtotal_ex_tax": money(order.subtotal_ex_tax),
        "subtotal_inc_tax": money(order.subtotal_ex_tax + order.subtotal_tax),
        "subtotal_tax": money(order.subtotal_tax),
        "base_shipping_cost": money(order.shipping_ex_tax),
        "shipping_cost_ex_tax": money(order.shipping_ex_tax),
        "shipping_cost_inc_tax": money(shipping_inc),
        "shipping_cost_tax": money(order.shipping_tax),
        "shipping_cost_tax_class_id": 2,
        "base_handling_cost": _ZERO,
        "handling_cost_ex_tax": _ZERO,
        "handling_cost_inc_tax": _ZERO,
        "handling_cost_tax": _ZERO,
        "handling_cost_tax_class_id": 2,
        "base_wrapping_cost": _ZERO,
        "wrapping_cost_ex_tax": _ZERO,
        "wrapping_cost_inc_tax": _ZERO,
        "wrapping_cost_tax": _ZERO,
        "wrapping_cost_tax_class_id": 3,
        "total_ex_tax": money(order.total_ex_tax),
        "total_inc_tax": money(order.total_inc_tax),
        "total_tax": money(order.total_tax),
        "items_total": order.items_total,
        "items_shipped": order.items_shipped,
        "payment_method": order.payment_method,
        "payment_status": order.payment_status,
        "refunded_amount": money(order.refunded_amount),
        "order_is_digital": all(line.type == "digital" for line in order.lines),
        "store_credit_amount": _ZERO,
        "gift_certificate_amount": _ZERO,
        "ip_address": order.ip_address,
        "ip_address_v6": "",
        "geoip_country": order.billing_address.country,
        "geoip_country_iso2": order.billing_address.country_iso2,
        "currency_id": 1,
        "currency_code": order.currency_code,
        "currency_exchange_rate": "1.0000000000",
        "default_currency_id": 1,
        "default_currency_code": order.currency_code,
        "store_default_currency_code": order.currency_code,
        "store_default_to_transactional_exchange_rate": "1.0000000000",
        "staff_notes": order.staff_notes,
        "customer_message": order.customer_message,
        "discount_amount": money(order.discount_amount),
        "coupon_discount": _ZERO,
        "shipping_address_count": len(order.shipping_addresses),
        "is_deleted": order.is_deleted,
        "ebay_order_id": "0",
        "cart_id": order.cart_id,
        "billing_address": {**_address(order.billing_address), "form_fields": []},
        "is_email_opt_in": False,
        "order_source": "www",
        "channel_id": order.channel_id,
        "external_source": None,
        "external_id": None,
        "external_merchant_id": None,
        "external_order_id": order.external_order_id,
        "tax_provider_id": "BasicTaxProvider",
        "customer_locale": "en",
        "products": _link(v2_base, f"{prefix}/products"),
        # BigCommerce's own link spells it without the underscore (D:OV2#L3569); both paths work.
        "shipping_addresses": _link(v2_base, f"{prefix}/shippingaddresses"),
        "coupons": _link(v2_base, f"{prefix}/coupons"),
        "consignments": _link(v2_base, f"{prefix}/consignments"),
    }


def order_product_json(order: Order, line: OrderLine) -> dict[str, Any]:
    total_ex = line.base_price * line.quantity
    total_tax = line.price_tax * line.quantity
    return {
        "id": line.id,
        "order_id": order.id,
        "product_id": line.product_id,
        "variant_id": line.variant_id,
        "order_pickup_method_id": 0,
        "order_address_id": line.order_address_id,
        "name": line.name,
        "name_customer": line.name,
        "name_merchant": line.name,
        "sku": line.sku,
        "upc": line.upc,
        "type": line.type,
        "base_price": money(line.base_price),
        "price_ex_tax": money(line.base_price),
        "price_inc_tax": money(line.price_inc_tax),
        "price_tax": money(line.price_tax),
        "base_total": money(total_ex),
        "total_ex_tax": money(total_ex),
        "total_inc_tax": money(total_ex + total_tax),
        "total_tax": money(total_tax),
        "weight": money(line.weight),
        "width": _ZERO,
        "height": _ZERO,
        "depth": _ZERO,
        "quantity": line.quantity,
        "base_cost_price": _ZERO,
        "cost_price_inc_tax": _ZERO,
        "cost_price_ex_tax": _ZERO,
        "cost_price_tax": _ZERO,
        "is_refunded": False,
        "quantity_refunded": 0,
        "refund_amount": _ZERO,
        "return_id": 0,
        "wrapping_id": 0,
        "wrapping_name": None,
        "base_wrapping_cost": _ZERO,
        "wrapping_cost_ex_tax": _ZERO,
        "wrapping_cost_inc_tax": _ZERO,
        "wrapping_cost_tax": _ZERO,
        "wrapping_message": "",
        "quantity_shipped": line.quantity_shipped,
        "event_name": None,
        "event_date": None,
        "fixed_shipping_cost": _ZERO,
        "ebay_item_id": "",
        "ebay_transaction_id": "",
        "option_set_id": None,
        "parent_order_product_id": None,
        "is_bundled_product": False,
        "bin_picking_number": "",
        "external_id": None,
        "brand": "",
        "applied_discounts": [],
        "product_options": [
            {
                "id": index + 1,
                "option_id": option_id,
                "order_product_id": line.id,
                "product_option_id": option_id,
                "display_name": name,
                "display_name_customer": name,
                "display_name_merchant": name,
                "display_value": label,
                "display_value_customer": label,
                "display_value_merchant": label,
                "value": str(value_id),
                "type": "Multiple choice",
                "name": name,
                "display_style": "Rectangle",
            }
            for index, (name, label, option_id, value_id) in enumerate(line.options)
        ],
        "configurable_fields": [],
        "gift_certificate_id": None,
        "discounted_total_inc_tax": money(total_ex + total_tax),
    }


def shipping_address_json(
    order: Order, address: OrderShippingAddress, v2_base: str
) -> dict[str, Any]:
    lines = [x for x in order.lines if x.order_address_id == address.id]
    return {
        "id": address.id,
        "order_id": order.id,
        **_address(address.address),
        "form_fields": [],
        "items_total": sum(x.quantity for x in lines),
        "items_shipped": sum(x.quantity_shipped for x in lines),
        "shipping_method": address.shipping_method,
        "base_cost": money(address.cost_ex_tax),
        "cost_ex_tax": money(address.cost_ex_tax),
        "cost_inc_tax": money(address.cost_ex_tax + address.cost_tax),
        "cost_tax": money(address.cost_tax),
        "cost_tax_class_id": 2,
        "base_handling_cost": _ZERO,
        "handling_cost_ex_tax": _ZERO,
        "handling_cost_inc_tax": _ZERO,
        "handling_cost_tax": _ZERO,
        "handling_cost_tax_class_id": 2,
        "shipping_zone_id": address.shipping_zone_id,
        "shipping_zone_name": address.shipping_zone_name,
        "shipping_quotes": _link(
            v2_base, f"/orders/{order.id}/shipping_addresses/{address.id}/shipping_quotes"
        ),
    }


def consignments_json(order: Order, v2_base: str, *, line_items: bool) -> dict[str, Any]:
    """The ``include=consignments[.line_items]`` object: one shipping consignment per address."""
    shipping = []
    for address in order.shipping_addresses:
        entry = shipping_address_json(order, address, v2_base)
        lines = [x for x in order.lines if x.order_address_id == address.id]
        entry["line_items"] = [
            order_product_json(order, x)
            if line_items
            else _link(v2_base, f"/orders/{order.id}/products/{x.id}")
            for x in lines
        ]
        entry.pop("order_id")
        # Consignments carry the same costs as numbers, not V2's strings (D:OV2 consignments).
        for name in _CONSIGNMENT_NUMBERS:
            entry[name] = float(entry[name])
        shipping.append(entry)
    return {
        "pickups": [],
        "shipping": shipping,
        "downloads": [],
        "email": {"gift_certificates": []},
    }


def shipment_json(order: Order, shipment: Shipment) -> dict[str, Any]:
    address = next(
        (a.address for a in order.shipping_addresses if a.id == shipment.order_address_id),
        order.billing_address,
    )
    return {
        "id": shipment.id,
        "order_id": shipment.order_id,
        "customer_id": order.customer_id,
        "order_address_id": shipment.order_address_id,
        "date_created": format_rfc2822(shipment.date_created),
        "tracking_number": shipment.tracking_number,
        "merchant_shipping_cost": money(shipment.merchant_shipping_cost),
        "shipping_method": shipment.shipping_method,
        "shipping_provider": shipment.shipping_provider,
        "shipping_provider_display_name": shipment.shipping_provider.upper()
        if shipment.shipping_provider
        else "",
        "tracking_carrier": shipment.tracking_carrier,
        "tracking_link": shipment.tracking_link,
        "generated_tracking_link": (
            f"https://track.aftership.com/{shipment.tracking_number}"
            if shipment.tracking_number and not shipment.tracking_link
            else ""
        ),
        "comments": shipment.comments,
        "billing_address": _address(order.billing_address),
        "shipping_address": _address(address),
        "items": [
            {
                "order_product_id": i.order_product_id,
                "product_id": i.product_id,
                "quantity": i.quantity,
            }
            for i in shipment.items
        ],
    }
