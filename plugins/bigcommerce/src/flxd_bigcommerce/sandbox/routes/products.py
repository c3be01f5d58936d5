"""Catalog V3 product endpoints (D:PROD ``/catalog/products``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from flxd_bigcommerce.sandbox.catalog import products as ops
from flxd_bigcommerce.sandbox.catalog.lost_inventory import lose_inventory
from flxd_bigcommerce.sandbox.catalog.query import PRODUCT_FILTERS, select_products
from flxd_bigcommerce.sandbox.catalog.serialize import SUPPORTED_INCLUDES, product_bytes
from flxd_bigcommerce.sandbox.catalog.writes import ProductWrite, parse_body, parse_list
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.pagination import clamped, parse_page, v3_collection_meta
from flxd_bigcommerce.sandbox.routes.context import Call, Endpoint
from flxd_bigcommerce.sandbox.routes.responses import (
    ERROR_TYPE,
    json_response,
    no_content,
    v3_data,
    v3_page,
)

__all__ = ["ENDPOINTS", "parse_includes", "partial_success"]

SCOPE = "store_v2_products"
_OPTIONS_PAGE_CAP = (
    10  # with include=options or modifiers BigCommerce caps pages at 10 (D:PROD#L9784)
)


def parse_includes(query: Mapping[str, str]) -> frozenset[str]:
    raw = query.get("include", "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip()) & SUPPORTED_INCLUDES


def _trimmed(call: Call, body: bytes) -> bytes | dict[str, Any]:
    """Apply ``include_fields``/``exclude_fields`` (``id`` always stays)."""
    include = {f for f in call.query.get("include_fields", "").split(",") if f}
    exclude = {f for f in call.query.get("exclude_fields", "").split(",") if f} - {"id"}
    if not include and not exclude:
        return body
    product: dict[str, Any] = json.loads(body)
    keep_subresources = parse_includes(call.query)
    return {
        k: v
        for k, v in product.items()
        if (not include or k in include or k == "id" or k in keep_subresources) and k not in exclude
    }


def partial_success(data: Any, problems: Mapping[str, str]) -> web.Response:
    """200 when everything was saved; 207 with an ``errors`` object when part was not."""
    if not problems:
        return v3_data(data)
    return json_response(
        {
            "data": data,
            "errors": {
                "status": 207,
                "title": "The product was saved, but some of its data could not be",
                "type": ERROR_TYPE,
                "errors": dict(problems),
            },
            "meta": {},
        },
        207,
    )


def _product_data(call: Call, product_id: int, *, as_written: bool = False) -> Any:
    includes = parse_includes(call.query)
    body = product_bytes(call.store.catalog, product_id, includes, as_written=as_written)
    trimmed = _trimmed(call, body)
    return json.loads(trimmed) if isinstance(trimmed, bytes) else trimmed


async def list_products(call: Call) -> web.Response:
    includes = parse_includes(call.query)
    page = parse_page(call.query)
    if includes & {"options", "modifiers"}:
        page = clamped(page, _OPTIONS_PAGE_CAP)
    if "variants" in includes:
        page = clamped(page, call.pessimism.variants_page_limit)
    catalog = call.store.catalog
    ids = select_products(catalog, call.query, now=call.now)
    chosen = page.slice(ids)
    items = []
    for product_id in chosen:
        trimmed = _trimmed(call, product_bytes(catalog, product_id, includes))
        items.append(trimmed if isinstance(trimmed, bytes) else json.dumps(trimmed).encode())
    return v3_page(items, v3_collection_meta(len(ids), page, len(chosen), call.query))


async def get_product(call: Call) -> web.Response:
    product_id = call.path_int("product_id")
    call.store.catalog.product(product_id)
    return v3_data(_product_data(call, product_id))


def _applicable(call: Call, write: ProductWrite) -> tuple[ProductWrite, dict[str, str]]:
    """The write minus what the pessimistic inventory service drops, and what it dropped."""
    return lose_inventory(write, call.store.draws, call.pessimism.partial_write_rate)


async def create_product(call: Call) -> web.Response:
    write, lost = _applicable(call, parse_body(ProductWrite, await call.json()))
    outcome = ops.create_product(call.store.catalog, write)
    data = _product_data(call, outcome.product.id, as_written=True)
    problems = {**outcome.problems, **lost}
    # A create's 207 carries the product in an array, as documented for POST /catalog/products
    # (unlike its 200, and unlike an update's 207, which carry the object).
    return partial_success([data] if problems else data, problems)


async def update_product(call: Call) -> web.Response:
    product_id = call.path_int("product_id")
    call.store.catalog.product(product_id)
    write, lost = _applicable(call, parse_body(ProductWrite, await call.json()))
    outcome = ops.update_product(call.store.catalog, product_id, write)
    problems = {**outcome.problems, **lost}
    return partial_success(_product_data(call, product_id, as_written=True), problems)


async def update_products(call: Call) -> web.Response:
    """A 207 names each item's unsaved fields as ``"<product id>.<field>"``."""
    payload = await call.json()
    if isinstance(payload, list):
        ops.check_batch_size(len(payload))  # 413 before any item is looked at
    applicable = [_applicable(call, w) for w in parse_list(ProductWrite, payload)]
    outcomes = ops.update_products(call.store.catalog, [w for w, _ in applicable])
    data = [_product_data(call, o.product.id, as_written=True) for o in outcomes]
    problems = {
        f"{o.product.id}.{k}": v
        for o, (_, lost) in zip(outcomes, applicable, strict=True)
        for k, v in {**o.problems, **lost}.items()
    }
    return partial_success(data, problems)


async def delete_product(call: Call) -> web.Response:
    product_id = call.path_int("product_id")
    call.store.catalog.product(product_id)
    ops.delete_products(call.store.catalog, [product_id])
    return no_content()


async def delete_products(call: Call) -> web.Response:
    """``DELETE /catalog/products?id:in=...``: a filter is required; at most 250 per call."""
    filters = {k: v for k, v in call.query.items() if k.partition(":")[0] in PRODUCT_FILTERS}
    if not filters:
        raise ApiError.invalid({"filter": "A filter such as id:in is required to delete products"})
    raw_ids = filters.get("id:in", "")
    if raw_ids and len([x for x in raw_ids.split(",") if x]) > ops.MAX_DELETE_PRODUCTS:
        raise ApiError(
            413,
            f"The maximum number of products you can delete at one time is "
            f"{ops.MAX_DELETE_PRODUCTS}.",
        )
    ids = select_products(call.store.catalog, filters, now=call.now)
    if len(ids) > ops.MAX_DELETE_PRODUCTS:
        raise ApiError(
            413,
            f"The filter matches {len(ids)} products; the maximum number of products you can "
            f"delete at one time is {ops.MAX_DELETE_PRODUCTS}.",
        )
    ops.delete_products(call.store.catalog, list(ids))
    return no_content()


ENDPOINTS = (
    Endpoint("GET", "/v3/catalog/products", list_products, SCOPE, "v3"),
    Endpoint("POST", "/v3/catalog/products", create_product, SCOPE, "v3"),
    Endpoint("PUT", "/v3/catalog/products", update_products, SCOPE, "v3"),
    Endpoint("DELETE", "/v3/catalog/products", delete_products, SCOPE, "v3"),
    Endpoint("GET", "/v3/catalog/products/{product_id}", get_product, SCOPE, "v3"),
    Endpoint("PUT", "/v3/catalog/products/{product_id}", update_product, SCOPE, "v3"),
    Endpoint("DELETE", "/v3/catalog/products/{product_id}", delete_product, SCOPE, "v3"),
)
