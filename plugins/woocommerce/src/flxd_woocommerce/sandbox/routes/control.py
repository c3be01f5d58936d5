"""The control API under ``/__sandbox/`` (no authentication; loopback use): what a test or a
developer does from outside WooCommerce's API. Each route is a thin wrapper of a
:class:`~flxd_woocommerce.sandbox.Sandbox` method; bad input is a 400 ``{"error": ...}`` saying
what is wrong, an unknown store or record a 404."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aiohttp import web

from flxd_woocommerce.sandbox.config import CapacityConfig
from flxd_woocommerce.sandbox.describe import (
    describe_store,
    key_json,
    order_of,
    outcome_json,
    overview,
)
from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.orders.book import CartLine
from flxd_woocommerce.sandbox.php import php_json

if TYPE_CHECKING:
    from flxd_woocommerce.sandbox.server import Sandbox

__all__ = ["PREFIX", "control_routes"]

PREFIX = "/__sandbox"
_Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=php_json(data), status=status, content_type="application/json")


def _guarded(handler: _Route) -> _Route:
    async def run(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except LookupError as exc:
            return _json({"error": str(exc).strip("'\"")}, 404)
        except (ValueError, TypeError, KeyError) as exc:
            return _json({"error": str(exc).strip("'\"")}, 400)
        except WpError as exc:
            return _json({"error": exc.message, "code": exc.code}, 400)

    return run


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        loaded = json.loads(await request.read())
    except ValueError:
        raise ValueError("the body is not JSON") from None
    if not isinstance(loaded, dict):
        raise ValueError("the body must be a JSON object")
    return loaded


def _lines(body: dict[str, Any]) -> list[CartLine] | None:
    if "lines" not in body:
        return None
    if not isinstance(body["lines"], list):
        raise ValueError("lines must be a list of {product_id, variation_id, quantity}")
    return [
        CartLine(
            product_id=int(line["product_id"]),
            variation_id=int(line.get("variation_id") or 0),
            quantity=int(line.get("quantity", 1)),
        )
        for line in body["lines"]
    ]


def control_routes(sandbox: Sandbox) -> list[web.RouteDef]:
    def name(request: web.Request) -> str:
        return request.match_info["name"]

    async def list_stores(request: web.Request) -> web.StreamResponse:
        return _json(
            {"stores": [describe_store(sandbox, s) for s in sandbox.stores], **overview(sandbox)}
        )

    async def create_store(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        store = sandbox.create_store(
            body.get("name"),
            seed_products=int(body.get("seed_products", 0)),
            seed_orders=int(body.get("seed_orders", 0)),
        )
        if "settings" in body:
            sandbox.configure_store(store.name, **body["settings"])
        return _json(describe_store(sandbox, store.name), 201)

    async def get_store(request: web.Request) -> web.StreamResponse:
        return _json(describe_store(sandbox, name(request)))

    async def settings(request: web.Request) -> web.StreamResponse:
        sandbox.configure_store(name(request), **(await _body(request)))
        return _json(describe_store(sandbox, name(request)))

    async def create_key(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        key = sandbox.create_key(
            name(request), body.get("permissions", "read_write"), body.get("description", "")
        )
        return _json(key_json(key), 201)

    async def revoke_key(request: web.Request) -> web.StreamResponse:
        sandbox.revoke_key(name(request), int(request.match_info["key_id"]))
        return web.Response(status=204)

    async def seed(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        sandbox.seed(
            name(request), products=int(body.get("products", 0)), orders=int(body.get("orders", 0))
        )
        return _json(describe_store(sandbox, name(request)))

    async def add_product(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        return _json(sandbox.add_product(name(request), body), 201)

    async def set_stock(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        item = sandbox.set_stock(
            name(request), int(request.match_info["item_id"]), int(body["quantity"])
        )
        return _json(
            {
                "id": item.id,
                "stock_quantity": item.stock_quantity,
                "stock_status": item.stock_status,
            }
        )

    async def place_order(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        order = sandbox.place_order(
            name(request),
            _lines(body),
            status=str(body.get("status", "processing")),
            billing=body.get("billing"),
            customer_id=int(body.get("customer_id", 0)),
            customer_note=str(body.get("customer_note", "")),
        )
        return _json(order_of(sandbox, name(request), order.id), 201)

    async def change_order(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        order_id = int(request.match_info["order_id"])
        if "quantities" in body:
            quantities = {int(k): int(v) for k, v in dict(body["quantities"]).items()}
            sandbox.edit_order_quantities(name(request), order_id, quantities)
        if "status" in body:
            sandbox.set_order_status(name(request), order_id, str(body["status"]))
        return _json(order_of(sandbox, name(request), order_id))

    async def register_status(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        slug = sandbox.register_order_status(name(request), str(body["slug"]), body.get("label"))
        return _json(
            {"slug": slug, "statuses": list(sandbox.store(name(request)).statuses.all())}, 201
        )

    async def set_faults(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        rate = body.get("rate")
        sandbox.set_faults(
            name(request), body.get("profile"), float(rate) if rate is not None else None
        )
        return await faults(request)

    async def faults(request: web.Request) -> web.StreamResponse:
        injector = sandbox.store(name(request)).faults
        return _json(
            {
                "profile": injector.profile.name,
                "rate": injector.rate,
                "injected": dict(injector.injected),
            }
        )

    async def set_capacity(request: web.Request) -> web.StreamResponse:
        sandbox.set_capacity(name(request), CapacityConfig(**(await _body(request))))
        return await capacity(request)

    async def capacity(request: web.Request) -> web.StreamResponse:
        return _json(sandbox.store(name(request)).capacity.stats())

    async def counters(request: web.Request) -> web.StreamResponse:
        return _json(sandbox.store(name(request)).counters.snapshot())

    async def reset_counters(request: web.Request) -> web.StreamResponse:
        sandbox.store(name(request)).counters.reset()
        return web.Response(status=204)

    async def requests_log(request: web.Request) -> web.StreamResponse:
        log = sandbox.requests(name(request))
        entries = [{**asdict(e), "at": e.at.isoformat(), "valid": e.valid} for e in log.entries]
        return _json({"requests": entries, "problems": log.problems()})

    async def clear_requests(request: web.Request) -> web.StreamResponse:
        sandbox.requests(name(request)).clear()
        return web.Response(status=204)

    async def deliveries(request: web.Request) -> web.StreamResponse:
        return _json([outcome_json(o) for o in sandbox.deliveries(name(request))])

    async def approvals(request: web.Request) -> web.StreamResponse:
        return _json([asdict(a) for a in sandbox.store(name(request)).approvals])

    async def outbound_tls(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        if "verify" in body:
            sandbox.outbound.verify_tls = bool(body["verify"])
        if body.get("trust_pem"):
            sandbox.outbound.trust(str(body["trust_pem"]))
        return _json({"verify": sandbox.outbound.verify_tls, "policy": sandbox.outbound.policy})

    async def certificate(request: web.Request) -> web.StreamResponse:
        pem = sandbox.certificate_pem
        if pem is None:
            raise LookupError("the sandbox serves plain HTTP: no certificate")
        return web.Response(body=pem, content_type="application/x-pem-file")

    async def reset(request: web.Request) -> web.StreamResponse:
        sandbox.reset()
        return web.Response(status=204)

    store = PREFIX + "/stores/{name}"
    table: list[tuple[str, str, _Route]] = [
        ("GET", PREFIX + "/stores", list_stores),
        ("POST", PREFIX + "/stores", create_store),
        ("GET", store, get_store),
        ("PATCH", store + "/settings", settings),
        ("POST", store + "/keys", create_key),
        ("DELETE", store + "/keys/{key_id}", revoke_key),
        ("POST", store + "/seed", seed),
        ("POST", store + "/products", add_product),
        ("PUT", store + "/stock/{item_id}", set_stock),
        ("POST", store + "/orders", place_order),
        ("PUT", store + "/orders/{order_id}", change_order),
        ("POST", store + "/order-statuses", register_status),
        ("PUT", store + "/faults", set_faults),
        ("GET", store + "/faults", faults),
        ("PUT", store + "/capacity", set_capacity),
        ("GET", store + "/capacity", capacity),
        ("GET", store + "/counters", counters),
        ("DELETE", store + "/counters", reset_counters),
        ("GET", store + "/requests", requests_log),
        ("DELETE", store + "/requests", clear_requests),
        ("GET", store + "/webhook-deliveries", deliveries),
        ("GET", store + "/approvals", approvals),
        ("PUT", PREFIX + "/outbound-tls", outbound_tls),
        ("GET", PREFIX + "/certificate", certificate),
        ("POST", PREFIX + "/reset", reset),
    ]
    return [web.route(method, path, _guarded(handler)) for method, path, handler in table]
