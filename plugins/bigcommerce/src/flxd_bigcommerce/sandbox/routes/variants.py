"""Catalog V3 variant endpoints (D:VAR)."""

from __future__ import annotations

from aiohttp import web

from flxd_bigcommerce.sandbox.catalog import variants as ops
from flxd_bigcommerce.sandbox.catalog.lost_inventory import lose_inventory
from flxd_bigcommerce.sandbox.catalog.query import select_variants
from flxd_bigcommerce.sandbox.catalog.serialize import variant_json
from flxd_bigcommerce.sandbox.catalog.writes import VariantWrite, parse_body, parse_list
from flxd_bigcommerce.sandbox.pagination import clamped, parse_page, v3_collection_meta
from flxd_bigcommerce.sandbox.routes.context import Call, Endpoint
from flxd_bigcommerce.sandbox.routes.products import partial_success
from flxd_bigcommerce.sandbox.routes.responses import no_content, v3_data

__all__ = ["ENDPOINTS"]

SCOPE = "store_v2_products"


def _page(call: Call, product_id: int | None) -> web.Response:
    # The variants spec states no maximum limit; the V3 convention of 250 applies (D:QP#L5),
    # unless the pessimistic behaviour clamps it lower.
    page = clamped(parse_page(call.query), call.pessimism.variants_page_limit)
    catalog = call.store.catalog
    found = select_variants(catalog, call.query, now=call.now, product_id=product_id)
    chosen = page.slice(found)
    return v3_data(
        [variant_json(catalog, v) for v in chosen],
        meta=v3_collection_meta(len(found), page, len(chosen), call.query),
    )


async def list_product_variants(call: Call) -> web.Response:
    product_id = call.path_int("product_id")
    call.store.catalog.product(product_id)
    return _page(call, product_id)


async def list_variants(call: Call) -> web.Response:
    return _page(call, None)


async def get_variant(call: Call) -> web.Response:
    catalog = call.store.catalog
    product_id = call.path_int("product_id")
    catalog.product(product_id)
    variant = catalog.variant(call.path_int("variant_id"), product_id)
    return v3_data(variant_json(catalog, variant))


def _applicable(call: Call, write: VariantWrite) -> tuple[VariantWrite, dict[str, str]]:
    """The write minus what the pessimistic inventory service drops, and what it dropped."""
    return lose_inventory(write, call.store.draws, call.pessimism.partial_write_rate)


async def create_variant(call: Call) -> web.Response:
    product_id = call.path_int("product_id")
    call.store.catalog.product(product_id)
    write, lost = _applicable(call, parse_body(VariantWrite, await call.json()))
    variant = ops.create_variant(call.store.catalog, product_id, write)
    return partial_success(variant_json(call.store.catalog, variant, as_written=True), lost)


async def update_variant(call: Call) -> web.Response:
    catalog = call.store.catalog
    product_id = call.path_int("product_id")
    catalog.product(product_id)
    variant_id = call.path_int("variant_id")
    catalog.variant(variant_id, product_id)
    write, lost = _applicable(call, parse_body(VariantWrite, await call.json()))
    outcome = ops.update_variant(catalog, variant_id, write, product_id)
    return partial_success(
        variant_json(catalog, outcome.variant, as_written=True), {**outcome.problems, **lost}
    )


async def delete_variant(call: Call) -> web.Response:
    ops.delete_variant(call.store.catalog, call.path_int("product_id"), call.path_int("variant_id"))
    return no_content()


async def update_variants(call: Call) -> web.Response:
    """A 207 names each item's unsaved fields as ``"<variant id>.<field>"``; BigCommerce
    documents no 207 here, so the sandbox answers in the products batch's 207 shape."""
    payload = await call.json()
    if isinstance(payload, list):
        ops.check_batch_size(len(payload))
    applicable = [_applicable(call, w) for w in parse_list(VariantWrite, payload)]
    outcomes = ops.update_variants(call.store.catalog, [w for w, _ in applicable])
    data = [variant_json(call.store.catalog, o.variant, as_written=True) for o in outcomes]
    problems = {
        f"{o.variant.id}.{k}": v
        for o, (_, lost) in zip(outcomes, applicable, strict=True)
        for k, v in {**o.problems, **lost}.items()
    }
    return partial_success(data, problems)


_BASE = "/v3/catalog/products/{product_id}/variants"
ENDPOINTS = (
    Endpoint("GET", _BASE, list_product_variants, SCOPE, "v3"),
    Endpoint("POST", _BASE, create_variant, SCOPE, "v3"),
    Endpoint("GET", _BASE + "/{variant_id}", get_variant, SCOPE, "v3"),
    Endpoint("PUT", _BASE + "/{variant_id}", update_variant, SCOPE, "v3"),
    Endpoint("DELETE", _BASE + "/{variant_id}", delete_variant, SCOPE, "v3"),
    Endpoint("GET", "/v3/catalog/variants", list_variants, SCOPE, "v3"),
    Endpoint("PUT", "/v3/catalog/variants", update_variants, SCOPE, "v3"),
)
