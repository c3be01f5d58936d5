"""The memory store over HTTP: one aiohttp application on loopback serves every store of the
process under /stores/{name}/. The first connection that needs it starts it; the last one to
close stops it (one per event loop). flxd reaches it only through its HTTP client, as it would
a real store.

    GET  /stores/{name}                       {"products": n, "orders": n}
    GET  /stores/{name}/products              ?after=&limit=[&sku=] -> {"data", "next"}
    POST /stores/{name}/products              {"name", "variants": [{sku, price, quantity}]}
                                              -> 201 the product; 409 a SKU is taken
    POST /stores/{name}/batch                 [item, ...] (<= 50) -> 200, or 207 when an item
                                              was not taken: {"results": [{"status", "error"}]}
    GET  /stores/{name}/orders                ?after=&limit=&status=a,b[&created_after=]
    GET  /stores/{name}/orders/{id}/shipments
    POST /stores/{name}/orders/{id}/shipments {"ref", "tracking", "carrier", "items"} -> 201

A batch item is {"variant": id, "price": "9.50"}, {"variant": id, "quantity": 3},
{"product": id, "available": false} or {"product": id, "delete": true}. Lists page by the
store's change counter: `next` is where the next page starts, null on the last page (a page
may be short before it). Errors are {"error": message} with 400, 401, 404, 409, 413 or 503.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

import anyio
from aiohttp import web
from anyio.lowlevel import RunVar

from flxd_memory.store import MAX_BATCH, MemoryStore, StoreError, stores

__all__ = ["acquire", "build_app", "release"]

Handler = Callable[[web.Request, MemoryStore], Awaitable[Any]]


def build_app() -> web.Application:
    app = web.Application()
    routes = [
        ("GET", "", _summary),
        ("GET", "/products", _products),
        ("POST", "/products", _create_product),
        ("POST", "/batch", _batch),
        ("GET", "/orders", _orders),
        ("GET", "/orders/{order}/shipments", _shipments),
        ("POST", "/orders/{order}/shipments", _ship),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, "/stores/{store}" + path, _serve(handler))
    return app


def _serve(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Find the store, check the request, answer JSON; a StoreError becomes its status."""

    async def serve(request: web.Request) -> web.StreamResponse:
        store = stores.get(request.match_info["store"])
        try:
            if store is None:
                raise StoreError(404, "no such store")
            store.authorize(request.headers.get("Authorization"))
            if request.method != "GET":
                store.writes += 1
            answer = await handler(request, store)
            if request.method != "GET":
                store.save()
        except StoreError as exc:
            return web.json_response({"error": exc.message}, status=exc.status)
        except (KeyError, TypeError, ValueError) as exc:  # a body without what it needs
            return web.json_response({"error": f"bad request: {exc!r}"}, status=400)
        if isinstance(answer, web.StreamResponse):
            return answer
        return web.json_response(answer)

    return serve


async def _summary(request: web.Request, store: MemoryStore) -> Any:
    return {"products": len(store.products), "orders": len(store.orders)}


async def _products(request: web.Request, store: MemoryStore) -> Any:
    after, limit = _paging(request)
    await anyio.sleep(store.page_delay)
    items = store.products_by_modified(request.query.get("sku"))
    page, following = store.page(items, after, limit)
    return {"data": [asdict(p) for p in page], "next": following}


async def _orders(request: web.Request, store: MemoryStore) -> Any:
    after, limit = _paging(request)
    await anyio.sleep(store.page_delay)
    statuses = set(request.query.get("status", "").split(","))
    items = store.orders_by_modified(statuses, request.query.get("created_after"))
    page, following = store.page(items, after, limit)
    return {"data": [asdict(o) for o in page], "next": following}


async def _create_product(request: web.Request, store: MemoryStore) -> Any:
    body = await _json(request)
    product = store.create_product(str(body["name"]), list(body["variants"]))
    return web.json_response(asdict(product), status=201)


async def _batch(request: web.Request, store: MemoryStore) -> Any:
    items = await _json(request)
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        raise StoreError(413, f"a batch is a list of at most {MAX_BATCH} items")
    results = [store.apply(item) for item in items]
    taken = all(r["status"] == 200 for r in results)
    return web.json_response({"results": results}, status=200 if taken else 207)


async def _shipments(request: web.Request, store: MemoryStore) -> Any:
    order = store.orders.get(_int(request.match_info["order"], "order"))
    if order is None:
        raise StoreError(404, "no such order")
    return order.shipments


async def _ship(request: web.Request, store: MemoryStore) -> Any:
    order_id = _int(request.match_info["order"], "order")
    shipment = store.add_shipment(order_id, await _json(request))
    return web.json_response(shipment, status=201)


def _paging(request: web.Request) -> tuple[int, int]:
    after = _int(request.query.get("after", "0"), "after")
    limit = _int(request.query.get("limit", "50"), "limit")
    if not 1 <= limit <= 250:
        raise StoreError(400, "limit must be between 1 and 250")
    return after, limit


def _int(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise StoreError(400, f"{name} must be an integer, not {text!r}") from None


async def _json(request: web.Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise StoreError(400, "the body is not JSON") from None


# ---- one server per event loop, shared by every connection -----------------------------------


@dataclass
class _Server:
    lock: anyio.Lock
    runner: web.AppRunner | None = None
    url: str = ""
    users: int = 0


_server: RunVar[_Server] = RunVar("flxd_memory_server")


def _current() -> _Server:
    try:
        return _server.get()
    except LookupError:
        _server.set(server := _Server(anyio.Lock()))
        return server


async def acquire() -> str:
    """Start the server if it is not running; its base URL. Call `release` once done."""
    server = _current()
    async with server.lock:
        if server.runner is None:
            runner = web.AppRunner(build_app(), access_log=None, shutdown_timeout=1.0)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            host, port = runner.addresses[0][:2]
            server.runner, server.url = runner, f"http://{host}:{port}"
        server.users += 1
        return server.url


async def release() -> None:
    """The last user to leave stops the server."""
    server = _current()
    async with server.lock:
        server.users -= 1
        if server.users == 0 and server.runner is not None:
            runner, server.runner = server.runner, None
            with anyio.CancelScope(shield=True):
                await runner.cleanup()
