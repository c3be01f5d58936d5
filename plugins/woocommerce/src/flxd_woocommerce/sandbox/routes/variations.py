"""``/wc/v3/products/{product_id}/variations`` (list, create), ``.../{id}`` (get, update,
delete, which needs ``force=true``: variations have no trash) and ``.../batch``.

A parent that does not exist gives an empty list (WooCommerce filters by parent id) and 404
``woocommerce_rest_product_variation_invalid_parent`` on create; a variation id that is not the
parent's is ``woocommerce_rest_product_variation_invalid_id`` (404 on read and delete, 400 on
update)."""

from __future__ import annotations

from typing import Any

from flxd_woocommerce.sandbox.catalog.query import list_variations
from flxd_woocommerce.sandbox.catalog.records import Product, Variation
from flxd_woocommerce.sandbox.catalog.render import variation_json
from flxd_woocommerce.sandbox.errors import WpError, invalid_id
from flxd_woocommerce.sandbox.routes.batch import run_batch
from flxd_woocommerce.sandbox.routes.common import CONTEXT, FORCE, ID, created, forced, listed
from flxd_woocommerce.sandbox.routes.endpoint import Call, Endpoint, RestResponse
from flxd_woocommerce.sandbox.schema.args import (
    batch_args,
    variation_list_args,
    variation_write_args,
)

__all__ = ["ENDPOINTS"]

BASE = r"/wc/v3/products/(?P<product_id>[\d]+)/variations"
ONE = BASE + r"/(?P<id>[\d]+)"


def _parent(call: Call) -> Product:
    product = call.store.catalog.products.get(call.int_param("product_id"))
    if product is None:
        raise WpError(
            404, "woocommerce_rest_product_variation_invalid_parent", "Invalid parent product."
        )
    return product


def _variation(call: Call, variation_id: int, *, missing_status: int = 404) -> Variation:
    variation = call.store.catalog.variations.get(variation_id)
    if variation is None or variation.product_id != call.int_param("product_id"):
        raise invalid_id("product_variation", missing_status)
    return variation


def _route(call: Call) -> str:
    return f"/wc/v3/products/{call.int_param('product_id')}/variations"


async def list_(call: Call) -> RestResponse:
    parent = call.store.catalog.products.get(call.int_param("product_id"))
    rows = (
        []
        if parent is None
        else list_variations(call.store.catalog, parent, call.params, call.site.timezone)
    )
    return listed(call, rows, lambda v: variation_json(v, _parent(call), call.site), _route(call))


async def get(call: Call) -> RestResponse:
    variation = _variation(call, call.int_param("id"))
    return RestResponse(variation_json(variation, _parent(call), call.site))


async def _create(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("id"):
        raise WpError(
            400,
            "woocommerce_rest_product_variation_exists",
            "Cannot create existing product_variation.",
        )
    parent = _parent(call)
    variation = call.store.catalog.create_variation(parent, params, call.now)
    return variation_json(variation, parent, call.site)


async def create(call: Call) -> RestResponse:
    data = await _create(call, call.params)
    return created(call, data, f"{_route(call)}/{data['id']}")


async def _update(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    variation = _variation(call, int(params.get("id") or 0), missing_status=400)
    updated = call.store.catalog.update_variation(variation, params, call.now)
    return variation_json(updated, _parent(call), call.site)


async def update(call: Call) -> RestResponse:
    return RestResponse(await _update(call, call.params))


async def _delete(call: Call, variation_id: int, force: bool) -> dict[str, Any]:
    variation = _variation(call, variation_id)
    if not force:
        raise WpError(
            501,
            "woocommerce_rest_trash_not_supported",
            "The product_variation does not support trashing.",
        )
    data = variation_json(variation, _parent(call), call.site)
    call.store.catalog.delete_variation(variation)
    return data


async def delete(call: Call) -> RestResponse:
    return RestResponse(await _delete(call, call.int_param("id"), forced(call)))


async def batch(call: Call) -> RestResponse:
    _parent(call)
    return await run_batch(
        call,
        create_args=variation_write_args(creating=True),
        update_args=variation_write_args(creating=False),
        create=lambda params: _create(call, params),
        update=lambda params: _update(call, params),
        delete=lambda item_id: _delete(call, item_id, True),
    )


ENDPOINTS = (
    Endpoint(BASE, ("GET",), list_, "list", lambda s: variation_list_args()),
    Endpoint(BASE, ("POST",), create, "create", lambda s: variation_write_args(creating=True)),
    Endpoint(
        ONE, ("GET",), get, "view", lambda s: {"product_id": ID, "id": ID, "context": CONTEXT}
    ),
    Endpoint(
        ONE,
        ("POST", "PUT", "PATCH"),
        update,
        "edit",
        lambda s: variation_write_args(creating=False),
    ),
    Endpoint(ONE, ("DELETE",), delete, "delete", lambda s: {"product_id": ID, "id": ID, **FORCE}),
    Endpoint(
        BASE + "/batch",
        ("POST", "PUT", "PATCH"),
        batch,
        "batch",
        lambda s: {"product_id": ID, **batch_args(variation_write_args(creating=False))},
    ),
)
