"""Inventory V3 endpoints (D:INV): absolute adjustments and inventory items."""

from __future__ import annotations

import uuid

from aiohttp import web

from flxd_bigcommerce.sandbox.catalog.inventory import (
    DEFAULT_LOCATION_CODE,
    apply_absolute,
    inventory_items,
    parse_adjustments,
)
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.pagination import parse_page, v3_collection_meta
from flxd_bigcommerce.sandbox.routes.context import Call, Endpoint
from flxd_bigcommerce.sandbox.routes.responses import json_response, v3_data

__all__ = ["ENDPOINTS"]

SCOPE = "store_inventory"
_MAX_ITEMS_PAGE = 1000  # "Limit of 1000 items for payload length" (D:INV#L187)


async def adjust_absolute(call: Call) -> web.Response:
    items = parse_adjustments(await call.json())
    apply_absolute(call.store.catalog, items)
    return json_response({"transaction_id": str(uuid.uuid4())})


def _ids(call: Call, name: str) -> set[int] | None:
    raw = call.query.get(name)
    if raw is None:
        return None
    try:
        return {int(x) for x in raw.split(",") if x}
    except ValueError:
        raise ApiError.invalid({name: f"{name} must be a list of integers"}) from None


async def list_items(call: Call) -> web.Response:
    page = parse_page(call.query, max_limit=_MAX_ITEMS_PAGE)
    locations = _ids(call, "location_id:in")
    codes = call.query.get("location_code:in")
    raw_skus = call.query.get("sku:in")
    found = list(
        inventory_items(
            call.store.catalog,
            skus={s for s in raw_skus.split(",") if s} if raw_skus is not None else None,
            variant_ids=_ids(call, "variant_id:in"),
            product_ids=_ids(call, "product_id:in"),
        )
    )
    if (locations is not None and 1 not in locations) or (
        codes is not None and DEFAULT_LOCATION_CODE not in codes.split(",")
    ):
        found = []
    chosen = page.slice(found)
    return v3_data(
        [item.to_json() for item in chosen],
        meta=v3_collection_meta(len(found), page, len(chosen), call.query),
    )


ENDPOINTS = (
    Endpoint("PUT", "/v3/inventory/adjustments/absolute", adjust_absolute, SCOPE, "inventory"),
    Endpoint("GET", "/v3/inventory/items", list_items, SCOPE, "inventory"),
)
