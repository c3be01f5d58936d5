"""The argument schemas of the routes the store emulates, written the way WooCommerce registers
them (``type``, ``enum``, ``default``, ``minimum``/``maximum``, ``required``). The store
validates every request against these, as WordPress does; the contract tests check that each
agrees with the route index in ``../shared/woocommerce/docs/_index.md`` (or is one of the
documented differences listed in :mod:`flxd_woocommerce.sandbox.contract`).

Only arguments the store models are declared; like WordPress it ignores the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "CORE_ORDER_STATUSES",
    "batch_args",
    "note_create_args",
    "order_list_args",
    "order_write_args",
    "product_list_args",
    "product_write_args",
    "tracking_create_args",
    "variation_list_args",
    "variation_write_args",
    "webhook_create_args",
    "webhook_list_args",
    "webhook_update_args",
]

Args = dict[str, dict[str, Any]]

CORE_ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
)
PRODUCT_STATUSES = ("draft", "pending", "private", "publish")
PRODUCT_TYPES = ("simple", "grouped", "external", "variable")
STOCK_STATUSES = ("instock", "outofstock", "onbackorder")


def _string(**extra: Any) -> dict[str, Any]:
    return {"type": "string", **extra}


def _integer(**extra: Any) -> dict[str, Any]:
    return {"type": "integer", **extra}


def _boolean(**extra: Any) -> dict[str, Any]:
    return {"type": "boolean", **extra}


def _enum(values: Iterable[str], **extra: Any) -> dict[str, Any]:
    return {"type": "string", "enum": list(values), **extra}


def _ids(**extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "integer"}, "default": [], **extra}


def _meta_data() -> dict[str, Any]:
    # WooCommerce types a meta value as "mixed" (any JSON); the index's older schema says string.
    item = {"type": "object", "properties": {"id": _integer(), "key": _string(), "value": {}}}
    return {"type": "array", "items": item}


def _collection(orderby: Iterable[str]) -> Args:
    """WP_REST_Controller::get_collection_params plus WooCommerce's date filters."""
    return {
        "context": _enum(("view", "edit"), default="view"),
        "page": _integer(default=1, minimum=1),
        "per_page": _integer(default=10, minimum=1, maximum=100),
        "search": _string(),
        "after": _string(format="date-time"),
        "before": _string(format="date-time"),
        "modified_after": _string(format="date-time"),
        "modified_before": _string(format="date-time"),
        "dates_are_gmt": _boolean(default=False),
        "exclude": _ids(),
        "include": _ids(),
        "offset": _integer(),
        "order": _enum(("asc", "desc"), default="desc"),
        "orderby": _enum(orderby, default="date"),
    }


def product_list_args() -> Args:
    return {
        **_collection(("date", "id", "include", "title", "slug", "price", "popularity", "rating")),
        "parent": _ids(),
        "parent_exclude": _ids(),
        "slug": _string(),
        "status": _enum(("any", *PRODUCT_STATUSES), default="any"),
        "type": _enum(PRODUCT_TYPES),
        "sku": _string(),
        "featured": _boolean(),
        "on_sale": _boolean(),
        "stock_status": _enum(STOCK_STATUSES),
        "global_unique_id": _string(),
    }


def variation_list_args() -> Args:
    args = product_list_args()
    for name in ("type", "featured", "global_unique_id"):
        del args[name]
    args["orderby"] = _enum(("date", "id", "include", "title", "slug"), default="date")
    return {"product_id": _integer(), **args}


def _stock_and_price() -> Args:
    return {
        "sku": _string(),
        "global_unique_id": _string(),
        "regular_price": _string(),
        "sale_price": _string(),
        "virtual": _boolean(),
        "downloadable": _boolean(),
        "tax_status": _enum(("taxable", "shipping", "none")),
        "tax_class": _string(),
        "manage_stock": _boolean(),
        "stock_quantity": _integer(),
        "stock_status": _enum(STOCK_STATUSES),
        "backorders": _enum(("no", "notify", "yes")),
        "weight": _string(),
        "dimensions": {"type": "object"},
        "menu_order": _integer(),
        "meta_data": _meta_data(),
    }


def _when(creating: bool, value: Any) -> dict[str, Any]:
    """A default, which only creating routes have."""
    return {"default": value} if creating else {}


def product_write_args(*, creating: bool) -> Args:
    attribute = {
        "type": "object",
        "properties": {
            "id": _integer(),
            "name": _string(),
            "position": _integer(),
            "visible": _boolean(default=False),
            "variation": _boolean(default=False),
            "options": {"type": "array", "items": _string()},
        },
    }
    args: Args = {
        "name": _string(),
        "slug": _string(),
        "type": _enum(PRODUCT_TYPES, **_when(creating, "simple")),
        "status": _enum(PRODUCT_STATUSES, **_when(creating, "publish")),
        "featured": _boolean(**_when(creating, False)),
        "catalog_visibility": _enum(
            ("visible", "catalog", "search", "hidden"), **_when(creating, "visible")
        ),
        "description": _string(),
        "short_description": _string(),
        **_stock_and_price(),
        "sold_individually": _boolean(**_when(creating, False)),
        "reviews_allowed": _boolean(**_when(creating, True)),
        "parent_id": _integer(),
        "purchase_note": _string(),
        "attributes": {"type": "array", "items": attribute},
    }
    if not creating:
        args = {"id": _integer(), **args}
    return args


def variation_write_args(*, creating: bool) -> Args:
    attribute = {
        "type": "object",
        "properties": {"id": _integer(), "name": _string(), "option": _string()},
    }
    args: Args = {
        "product_id": _integer(),
        "description": _string(),
        "status": _enum(PRODUCT_STATUSES),
        "visible": _boolean(**({"default": True} if creating else {})),
        **_stock_and_price(),
        "attributes": {"type": "array", "items": attribute},
    }
    if not creating:
        args = {"id": _integer(), **args}
    return args


def batch_args(item_args: Args) -> Args:
    """WooCommerce registers a batch route with the item's arguments at the top level, where a
    ``{"create", "update", "delete"}`` body never has them: WordPress validates nothing of a
    batch body. The store checks each item against ``item_args`` itself (see the batch route)."""
    return {name: schema for name, schema in item_args.items() if name != "id"}


def order_statuses_enum(custom: Iterable[str]) -> list[str]:
    return [*CORE_ORDER_STATUSES, *custom]


def order_list_args(custom_statuses: Iterable[str]) -> Args:
    status_items = _enum(("any", "trash", *order_statuses_enum(custom_statuses)))
    return {
        **_collection(("date", "id", "include", "title", "slug")),
        "parent": _ids(),
        "parent_exclude": _ids(),
        "status": {"type": "array", "items": status_items, "default": "any"},
        "customer": _integer(),
        "product": _integer(),
        "dp": _integer(default=2),
    }


def order_write_args(custom_statuses: Iterable[str], *, creating: bool) -> Args:
    line_item = {
        "type": "object",
        "properties": {
            "id": _integer(),
            "product_id": _integer(),
            "variation_id": _integer(),
            "quantity": _integer(),
        },
    }
    shipping_line = {
        "type": "object",
        "properties": {"method_title": _string(), "method_id": _string(), "total": _string()},
    }
    status = _enum(
        order_statuses_enum(custom_statuses), **({"default": "pending"} if creating else {})
    )
    args: Args = {
        "parent_id": _integer(),
        "status": status,
        "customer_id": _integer(**({"default": 0} if creating else {})),
        "customer_note": _string(),
        "billing": {"type": "object"},
        "shipping": {"type": "object"},
        "payment_method": _string(),
        "payment_method_title": _string(),
        "transaction_id": _string(),
        "meta_data": _meta_data(),
        "line_items": {"type": "array", "items": line_item},
        "shipping_lines": {"type": "array", "items": shipping_line},
        "set_paid": _boolean(**({"default": False} if creating else {})),
    }
    if not creating:
        args = {"id": _integer(), **args}
    return args


def note_create_args() -> Args:
    return {
        "order_id": _integer(),
        "note": _string(required=True),
        "customer_note": _boolean(default=False),
        "added_by_user": _boolean(default=False),
    }


def webhook_list_args() -> Args:
    args = _collection(("date", "id", "include", "title", "slug"))
    for name in ("modified_after", "modified_before", "dates_are_gmt"):
        del args[name]
    return {**args, "status": _enum(("all", "active", "paused", "disabled"), default="all")}


def webhook_create_args() -> Args:
    return {
        "name": _string(),
        "status": _enum(("active", "paused", "disabled"), default="active"),
        "topic": _string(required=True),
        "secret": _string(required=True),
        "delivery_url": _string(required=True),
    }


def webhook_update_args() -> Args:
    return {
        "id": _integer(),
        "name": _string(),
        "status": _enum(("active", "paused", "disabled")),
        "topic": _string(),
        "secret": _string(),
    }


def tracking_create_args() -> Args:
    """The Shipment Tracking extension's create arguments (not in WooCommerce's index)."""
    return {
        "order_id": _integer(),
        "tracking_number": _string(required=True),
        "tracking_provider": _string(),
        "custom_tracking_provider": _string(),
        "custom_tracking_link": _string(),
        "date_shipped": _string(),
    }
