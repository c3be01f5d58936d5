"""Where WooCommerce (and so the sandbox) differs from its published documents, each with its
source: arguments the route index lacks or describes in an older form, and answer fields the
property tables lack or type differently. Nothing else is allowed by the contract checks."""

from __future__ import annotations

from typing import Any

__all__ = ["ANSWER_DEVIATIONS", "INDEX_ERRATA", "NULLABLE"]

_DATE = {"type": "string", "format": "date-time"}
_PRODUCTS = "/wc/v3/products"
_VARIATIONS = r"/wc/v3/products/(?P<product_id>[\d]+)/variations"
_ORDERS = "/wc/v3/orders"
_STOCK = {"type": "string", "enum": ["instock", "outofstock", "onbackorder"]}
_STATUS = {"type": "string", "enum": ["draft", "pending", "private", "publish"]}
_GTIN = {"type": "string"}
_PAGING = {
    "page": {"type": "integer", "default": 1, "minimum": 1},
    "per_page": {"type": "integer", "default": 10, "minimum": 1, "maximum": 100},
    "after": _DATE,
    "before": _DATE,
}
_MODIFIED = {
    "modified_after": _DATE,
    "modified_before": _DATE,
    "dates_are_gmt": {"type": "boolean"},
}

INDEX_ERRATA: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    (_PRODUCTS, "GET"): (
        "page/per_page bounds: WP_REST_Controller::get_collection_params; date formats: "
        "WooCommerce's collection params; modified_*, dates_are_gmt, stock_status: the "
        "_products.md parameter table; global_unique_id: WooCommerce 9.2+",
        {**_PAGING, **_MODIFIED, "stock_status": _STOCK, "global_unique_id": _GTIN},
    ),
    (_VARIATIONS, "GET"): (
        "as for products (the variations controller inherits them); stock_status: the "
        "_product-variations.md parameter table",
        {**_PAGING, **_MODIFIED, "stock_status": _STOCK},
    ),
    (_ORDERS, "GET"): (
        "status is an array with trash (the _orders.md parameter table; custom statuses join "
        "its enum, WooCommerce builds it from wc_get_order_statuses); modified_*, dates_are_gmt: "
        "the parameter table",
        {**_PAGING, **_MODIFIED},
    ),
    ("/wc/v3/webhooks", "GET"): ("page/per_page bounds and date formats, as above", _PAGING),
    (_PRODUCTS, "POST"): (
        "stock_status: the _products.md property table (the index still has in_stock); "
        "global_unique_id: WooCommerce 9.2+",
        {"stock_status": _STOCK, "global_unique_id": _GTIN},
    ),
    (_VARIATIONS, "POST"): (
        "status and stock_status: the _product-variations.md property table; "
        "global_unique_id: WooCommerce 9.2+",
        {"status": _STATUS, "stock_status": _STOCK, "global_unique_id": _GTIN},
    ),
    (r"/wc/v3/orders/(?P<order_id>[\d]+)/notes", "POST"): (
        "added_by_user: the _order-notes.md property table",
        {"added_by_user": {"type": "boolean", "default": False}},
    ),
    (r"/wc/v3/orders/(?P<id>[\d]+)", "GET"): (
        "dp: the _orders.md retrieve parameters (an integer, as the list's dp)",
        {"dp": {"type": "integer", "default": 2}},
    ),
}
# The same additions apply to the update and batch forms of those routes.
for _create, _single in (
    (_PRODUCTS, r"/wc/v3/products/(?P<id>[\d]+)"),
    (_VARIATIONS, _VARIATIONS + r"/(?P<id>[\d]+)"),
):
    _reason, _args = INDEX_ERRATA[(_create, "POST")]
    INDEX_ERRATA[(_single, "PUT")] = (_reason, _args)
    INDEX_ERRATA[(_create + "/batch", "POST")] = (_reason, _args)

ANSWER_DEVIATIONS: dict[tuple[str, str], str] = {
    ("Product", "global_unique_id"): "string; GTIN/UPC/EAN/ISBN, WooCommerce 9.2+",
    ("Product variation", "global_unique_id"): "string; GTIN/UPC/EAN/ISBN, WooCommerce 9.2+",
    ("Product - Attributes", "option"): (
        "string; a variation seen through /products (a sku search, a product.* webhook) has "
        "{id, name, option} attributes"
    ),
    ("Product variation", "shipping_class_id"): "integer; the table says string, WooCommerce "
    "answers its get_shipping_class_id() integer",
    ("Order - Line items", "price"): "number; the table says string, WooCommerce's own examples "
    "and code give a number",
    ("*", "meta_data.value"): "any JSON; WooCommerce stores arrays and objects too (the Shipment "
    "Tracking extension's items, for one)",
}
NULLABLE = frozenset({"stock_quantity", "image"})
