"""Orders V3 metafield endpoints (D:OV3 ``/orders/{order_id}/metafields``, and the batch
``POST /orders/metafields``, D:OV3#L848).

The batch creates what it can: a 200 when every item was created, a 422 listing the created ones
in ``data`` and one error per failed item in ``errors`` (``MetaFieldCollectionResponse
PartialSuccess_POST_PUT``), each naming the item by its index. BigCommerce states no maximum
batch size (API.md §13); under the pessimistic ``metafield_batch_limit`` a larger batch is
refused whole, with a 422 that says too many.

The scope BigCommerce requires here is not documented (API.md §2); the sandbox asks for the
orders scope, ``store_v2_orders``.
"""

from __future__ import annotations

from aiohttp import web

from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.metafields import metafield_json
from flxd_bigcommerce.sandbox.pagination import parse_page, v3_collection_meta
from flxd_bigcommerce.sandbox.routes.context import Call, Endpoint
from flxd_bigcommerce.sandbox.routes.responses import ERROR_TYPE, json_response, no_content, v3_data

__all__ = ["ENDPOINTS"]

SCOPE = "store_v2_orders"
_RESOURCE = "order"


def _order_id(call: Call) -> int:
    order_id = call.path_int("order_id")
    if order_id not in call.store.orders.orders:
        raise ApiError(404, "Order not found", errors_as_list=True)
    return order_id


async def list_metafields(call: Call) -> web.Response:
    order_id = _order_id(call)
    page = parse_page(call.query)
    found = list(call.store.metafields.of(_RESOURCE, order_id))
    for name in ("key", "namespace"):
        if name in call.query:
            found = [m for m in found if getattr(m, name) == call.query[name]]
        wanted = call.query.get(f"{name}:in")
        if wanted is not None:
            found = [m for m in found if getattr(m, name) in wanted.split(",")]
    chosen = page.slice(found)
    return v3_data(
        [metafield_json(m) for m in chosen],
        meta=v3_collection_meta(len(found), page, len(chosen), call.query),
    )


async def create_metafield(call: Call) -> web.Response:
    order_id = _order_id(call)
    created = call.store.metafields.create(
        _RESOURCE, order_id, call.token.client_id, await call.json()
    )
    return v3_data(metafield_json(created))


async def get_metafield(call: Call) -> web.Response:
    found = call.store.metafields.get(_RESOURCE, _order_id(call), call.path_int("metafield_id"))
    return v3_data(metafield_json(found))


async def update_metafield(call: Call) -> web.Response:
    updated = call.store.metafields.update(
        _RESOURCE, _order_id(call), call.path_int("metafield_id"), await call.json()
    )
    return v3_data(metafield_json(updated))


async def delete_metafield(call: Call) -> web.Response:
    call.store.metafields.delete(_RESOURCE, _order_id(call), call.path_int("metafield_id"))
    return no_content()


async def create_metafields(call: Call) -> web.Response:
    body = await call.json()
    if not isinstance(body, list) or not body:
        raise ApiError(400, "Input is invalid", {"body": "expected a non-empty JSON array"})
    limit = call.pessimism.metafield_batch_limit
    if limit and len(body) > limit:
        raise ApiError.invalid(
            {"items": f"too many metafields in one request: {len(body)}"},
            title="Too many metafields in one request",
        )
    created: list[dict[str, object]] = []
    errors: list[dict[str, object]] = []
    for index, item in enumerate(body):
        try:
            resource = item.get("resource_id") if isinstance(item, dict) else None
            if not isinstance(resource, int) or resource not in call.store.orders.orders:
                raise ApiError(404, "Order not found", {"resource_id": "no such order"})
            made = call.store.metafields.create(_RESOURCE, resource, call.token.client_id, item)
        except ApiError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.errors.items()) or exc.title
            errors.append(
                {
                    "status": exc.status,
                    "title": exc.title,
                    "type": ERROR_TYPE,
                    "errors": {str(index): detail},
                }
            )
            continue
        created.append(metafield_json(made))
    meta = {"total": len(body), "success": len(created), "failed": len(errors)}
    return json_response({"data": created, "errors": errors, "meta": meta}, 422 if errors else 200)


_BASE = "/v3/orders/{order_id}/metafields"
ENDPOINTS = (
    Endpoint("POST", "/v3/orders/metafields", create_metafields, SCOPE, "v3"),
    Endpoint("GET", _BASE, list_metafields, SCOPE, "v3"),
    Endpoint("POST", _BASE, create_metafield, SCOPE, "v3"),
    Endpoint("GET", _BASE + "/{metafield_id}", get_metafield, SCOPE, "v3"),
    Endpoint("PUT", _BASE + "/{metafield_id}", update_metafield, SCOPE, "v3"),
    Endpoint("DELETE", _BASE + "/{metafield_id}", delete_metafield, SCOPE, "v3"),
)
