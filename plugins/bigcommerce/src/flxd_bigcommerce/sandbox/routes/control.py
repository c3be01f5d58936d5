"""The control API under ``/__sandbox/`` (never under ``/stores/``): what a test or a developer
does to a store from outside BigCommerce's API -- create stores and tokens, seed, shop, use up
quota, inject faults, switch the behaviour, read counters and webhook deliveries, reset. No
authentication: the sandbox is for loopback use."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from flxd_bigcommerce.sandbox.auth import UnknownScopeError
from flxd_bigcommerce.sandbox.behaviour import PessimisticSettings
from flxd_bigcommerce.sandbox.config import FLXD_SCOPES
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.orders.checkout import CartLine
from flxd_bigcommerce.sandbox.orders.records import Address
from flxd_bigcommerce.sandbox.orders.serialize import order_json
from flxd_bigcommerce.sandbox.routes.responses import json_response, no_content

if TYPE_CHECKING:
    from flxd_bigcommerce.sandbox.server import Sandbox
    from flxd_bigcommerce.sandbox.store import Store

__all__ = ["control_routes"]

PREFIX = "/__sandbox"
_Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, message: str) -> web.Response:
    return json_response({"error": message}, status)


def _guarded(handler: _Route) -> _Route:
    """Turn the usual failures into JSON errors a curl user can read."""

    async def run(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except LookupError as exc:
            return _error(404, str(exc).strip("'\""))
        except (ValueError, TypeError, UnknownScopeError) as exc:
            return _error(400, str(exc))
        except ApiError as exc:
            return json_response(
                {"error": exc.title, "errors": dict(exc.errors), "status": exc.status}, exc.status
            )

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


def control_routes(sandbox: Sandbox) -> list[web.RouteDef]:
    def describe(store: Store, origin: str) -> dict[str, Any]:
        return {
            "hash": store.hash,
            "store_id": store.store_id,
            "api_path": f"{origin}/stores/{store.hash}/",
            "default_token": sandbox.default_token(store.hash),
            "tokens": [
                {
                    "token": t.token,
                    "client_id": t.client_id,
                    "scopes": sorted(t.scopes),
                    "revoked": t.revoked,
                }
                for t in sandbox.tokens.of_store(store.hash)
            ],
            "products": len(store.catalog.products),
            "orders": len(store.orders.orders),
        }

    def origin(request: web.Request) -> str:
        return str(request.url.origin())

    async def list_stores(request: web.Request) -> web.StreamResponse:
        return json_response(
            {
                "stores": [describe(s, origin(request)) for s in sandbox.stores.values()],
                "api_base_url": origin(request),
                "login_base_url": f"{origin(request)}/login",
                "oauth_client_id": sandbox.config.oauth.client_id,
            }
        )

    async def create_store(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        store = sandbox.create_store(
            body.get("hash"),
            seed_products=int(body.get("seed_products", 0)),
            seed_orders=int(body.get("seed_orders", 0)),
        )
        return json_response(describe(store, origin(request)), 201)

    async def get_store(request: web.Request) -> web.StreamResponse:
        store = sandbox.store(request.match_info["hash"])
        return json_response(describe(store, origin(request)))

    async def create_token(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        store_hash = request.match_info["hash"]
        token = sandbox.create_token(
            store_hash,
            body.get("scopes", FLXD_SCOPES),
            client_id=body.get("client_id", "flxd-sandbox-account"),
        )
        return json_response({"token": token, "store_hash": store_hash}, 201)

    async def revoke_token(request: web.Request) -> web.StreamResponse:
        sandbox.revoke_token(request.match_info["token"])
        return no_content()

    async def seed(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        store_hash = request.match_info["hash"]
        sandbox.seed(
            store_hash, products=int(body.get("products", 0)), orders=int(body.get("orders", 0))
        )
        return json_response(describe(sandbox.store(store_hash), origin(request)))

    async def place_order(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        store_hash = request.match_info["hash"]
        lines = None
        if "lines" in body:
            lines = [
                CartLine(
                    product_id=int(x["product_id"]),
                    variant_id=int(x["variant_id"]) if x.get("variant_id") else None,
                    quantity=int(x.get("quantity", 1)),
                )
                for x in body["lines"]
            ]
        extra: dict[str, Any] = {}
        if "customer" in body:
            extra["customer"] = Address(**body["customer"])
        order = sandbox.place_order(
            store_hash,
            lines,
            status_id=int(body.get("status_id", 11)),
            customer_id=int(body.get("customer_id", 0)),
            **extra,
        )
        return json_response(order_json(order, f"{origin(request)}/stores/{store_hash}/v2"), 201)

    async def update_order(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        store_hash = request.match_info["hash"]
        order_id = int(request.match_info["order_id"])
        if body.get("is_deleted"):
            order = sandbox.archive_order(store_hash, order_id)
        if "status_id" in body:
            order = sandbox.set_order_status(store_hash, order_id, int(body["status_id"]))
        else:
            order = sandbox.store(store_hash).orders.order(order_id)
        return json_response(order_json(order, f"{origin(request)}/stores/{store_hash}/v2"))

    async def consume_quota(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        store_hash = request.match_info["hash"]
        sandbox.consume_quota(store_hash, int(body.get("units", 1)))
        return json_response(sandbox.store(store_hash).quota.headers())

    async def set_quota(request: web.Request) -> web.StreamResponse:
        """Turn a store's quota on, off (``"quota": null``) or resize it, e.g. so a benchmark
        can measure the same work at a compressed 150-requests window."""
        body = await _body(request)
        unknown = sorted(set(body) - {"quota", "window_ms"})
        if unknown:
            raise ValueError(f"unknown key(s): {', '.join(unknown)}")
        quota = sandbox.store(request.match_info["hash"]).quota
        size, window = body.get("quota", quota.quota), body.get("window_ms", quota.window_ms)
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            raise ValueError("quota must be a whole number of requests >= 1, or null for none")
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise ValueError("window_ms must be a whole number of milliseconds >= 1")
        quota.quota, quota.window_ms = size, window
        quota.reset()
        return json_response({"quota": quota.quota, "window_ms": quota.window_ms})

    async def set_faults(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        rate = body.get("rate")
        sandbox.set_faults(
            request.match_info["hash"],
            body.get("profile"),
            float(rate) if rate is not None else None,
        )
        return no_content()

    async def faults(request: web.Request) -> web.StreamResponse:
        injector = sandbox.store(request.match_info["hash"]).faults
        return json_response(
            {
                "profile": injector.profile.name,
                "rate": injector.rate,
                "injected": dict(sorted(injector.injected.items())),
            }
        )

    async def counters(request: web.Request) -> web.StreamResponse:
        return json_response(sandbox.store(request.match_info["hash"]).counters.snapshot())

    async def reset_counters(request: web.Request) -> web.StreamResponse:
        sandbox.store(request.match_info["hash"]).counters.reset()
        return no_content()

    async def deliveries(request: web.Request) -> web.StreamResponse:
        return json_response(
            [
                {
                    "hook_id": o.delivery.hook_id,
                    "destination": o.delivery.destination,
                    "payload": o.delivery.payload,
                    "status": o.status,
                    "error": o.error,
                    "at": o.at.isoformat(),
                }
                for o in sandbox.deliveries(request.match_info["hash"])
            ]
        )

    async def lost_deliveries(request: web.Request) -> web.StreamResponse:
        return json_response(
            [
                {"hook_id": d.hook_id, "destination": d.destination, "payload": d.payload}
                for d in sandbox.lost_deliveries(request.match_info["hash"])
            ]
        )

    def behaviour_json() -> dict[str, Any]:
        return {
            "behaviour": sandbox.behaviour.name,
            "pessimism": sandbox.behaviour.pessimism.to_json(),
            "waiting_webhooks": sandbox.dispatcher.waiting,
        }

    async def get_behaviour(request: web.Request) -> web.StreamResponse:
        return json_response(behaviour_json())

    async def set_behaviour(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        unknown = sorted(set(body) - {"behaviour", "pessimism"})
        if unknown:
            raise ValueError(f"unknown key(s): {', '.join(unknown)}")
        raw = body.get("pessimism")
        if raw is not None and not isinstance(raw, dict):
            raise ValueError("pessimism must be an object of settings")
        pessimism = PessimisticSettings.from_mapping(raw) if raw is not None else None
        sandbox.set_behaviour(str(body.get("behaviour", sandbox.behaviour.name)), pessimism)
        return json_response(behaviour_json())

    async def reset(request: web.Request) -> web.StreamResponse:
        sandbox.reset()
        return no_content()

    store = PREFIX + "/stores/{hash}"
    table: list[tuple[str, str, _Route]] = [
        ("GET", PREFIX + "/stores", list_stores),
        ("POST", PREFIX + "/stores", create_store),
        ("GET", store, get_store),
        ("POST", store + "/tokens", create_token),
        ("DELETE", PREFIX + "/tokens/{token}", revoke_token),
        ("POST", store + "/seed", seed),
        ("POST", store + "/orders", place_order),
        ("PUT", store + "/orders/{order_id}", update_order),
        ("POST", store + "/quota/consume", consume_quota),
        ("PUT", store + "/quota", set_quota),
        ("PUT", store + "/faults", set_faults),
        ("GET", store + "/faults", faults),
        ("GET", store + "/counters", counters),
        ("DELETE", store + "/counters", reset_counters),
        ("GET", store + "/webhook-deliveries", deliveries),
        ("GET", store + "/webhook-deliveries/lost", lost_deliveries),
        ("GET", PREFIX + "/behaviour", get_behaviour),
        ("PUT", PREFIX + "/behaviour", set_behaviour),
        ("POST", PREFIX + "/reset", reset),
    ]
    return [web.route(method, path, _guarded(handler)) for method, path, handler in table]
