"""``/wc/v3/products``, ``/wc/v3/products/{id}`` and ``/wc/v3/products/batch``.

``GET /products/{id}`` of a variation's id answers the variation seen as a product, as
WooCommerce does; writing through that route is refused (404
``woocommerce_rest_invalid_product_id``, use the variations route). Deleting without
``force=true`` moves the product to the trash.
"""

from __future__ import annotations

from typing import Any

from flxd_woocommerce.sandbox.catalog.query import list_products
from flxd_woocommerce.sandbox.catalog.records import Product, Variation
from flxd_woocommerce.sandbox.catalog.render import product_json, variation_as_product_json
from flxd_woocommerce.sandbox.errors import WpError, invalid_id
from flxd_woocommerce.sandbox.routes.batch import run_batch
from flxd_woocommerce.sandbox.routes.common import CONTEXT, FORCE, ID, created, forced, listed
from flxd_woocommerce.sandbox.routes.endpoint import Call, Endpoint, RestResponse
from flxd_woocommerce.sandbox.schema.args import batch_args, product_list_args, product_write_args
from flxd_woocommerce.sandbox.store import Store

__all__ = ["ENDPOINTS", "render_row"]

BASE = "/wc/v3/products"
ONE = BASE + r"/(?P<id>[\d]+)"


def render_row(store: Store, row: Product | Variation) -> dict[str, Any]:
    if isinstance(row, Variation):
        parent = store.catalog.products[row.product_id]
        return variation_as_product_json(row, parent, store.site)
    return product_json(store.catalog, row, store.site)


def _writable(store: Store, product_id: int, *, missing_status: int) -> Product:
    if product_id in store.catalog.variations:
        raise WpError(
            404,
            "woocommerce_rest_invalid_product_id",
            "To manipulate product variations you should use the "
            "/products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint.",
        )
    product = store.catalog.products.get(product_id)
    if product is None:
        raise invalid_id("product", missing_status)
    return product


async def list_(call: Call) -> RestResponse:
    rows = list_products(call.store.catalog, call.params, call.site.timezone)
    return listed(call, rows, lambda row: render_row(call.store, row), BASE)


async def get(call: Call) -> RestResponse:
    product_id = call.int_param("id")
    catalog = call.store.catalog
    row: Product | Variation | None = catalog.products.get(product_id) or catalog.variations.get(
        product_id
    )
    if row is None:
        raise invalid_id("product")
    return RestResponse(render_row(call.store, row))


async def _create(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("id"):
        raise WpError(400, "woocommerce_rest_product_exists", "Cannot create existing product.")
    product = call.store.catalog.create_product(params, call.now)
    return product_json(call.store.catalog, product, call.site)


async def create(call: Call) -> RestResponse:
    data = await _create(call, call.params)
    return created(call, data, f"{BASE}/{data['id']}")


async def _update(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    product = _writable(call.store, int(params.get("id") or 0), missing_status=400)
    updated = call.store.catalog.update_product(product, params, call.now)
    return product_json(call.store.catalog, updated, call.site)


async def update(call: Call) -> RestResponse:
    return RestResponse(await _update(call, call.params))


async def _delete(call: Call, product_id: int, force: bool) -> dict[str, Any]:
    product = _writable(call.store, product_id, missing_status=404)
    data = product_json(call.store.catalog, product, call.site)
    if force:
        call.store.catalog.delete_product(product)
        return data
    return product_json(
        call.store.catalog, call.store.catalog.trash_product(product, call.now), call.site
    )


async def delete(call: Call) -> RestResponse:
    return RestResponse(await _delete(call, call.int_param("id"), forced(call)))


async def batch(call: Call) -> RestResponse:
    return await run_batch(
        call,
        create_args=product_write_args(creating=True),
        update_args=product_write_args(creating=False),
        create=lambda params: _create(call, params),
        update=lambda params: _update(call, params),
        delete=lambda item_id: _delete(call, item_id, True),
    )


ENDPOINTS = (
    Endpoint(BASE, ("GET",), list_, "list", lambda s: product_list_args()),
    Endpoint(BASE, ("POST",), create, "create", lambda s: product_write_args(creating=True)),
    Endpoint(ONE, ("GET",), get, "view", lambda s: {"id": ID, "context": CONTEXT}),
    Endpoint(
        ONE, ("POST", "PUT", "PATCH"), update, "edit", lambda s: product_write_args(creating=False)
    ),
    Endpoint(ONE, ("DELETE",), delete, "delete", lambda s: {"id": ID, **FORCE}),
    Endpoint(
        BASE + "/batch",
        ("POST", "PUT", "PATCH"),
        batch,
        "batch",
        lambda s: batch_args(product_write_args(creating=False)),
    ),
)
