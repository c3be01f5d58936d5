"""The admin token: required on everything but /healthz and public plugin routes; a wrong or
missing one changes nothing; the status page swaps `?token=` for a read-only cookie."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
import structlog
from aiohttp import web

from flxd.admin.auth import COOKIE, resolve_token
from flxd.config import parse_config
from flxd.errors import PluginError
from flxd.hub.orders import OrderBook
from flxd.operation import Operation
from flxd.plugin.context import WebContext
from flxd.plugin.registry import Registration, WebRoute
from flxd.runs.journal import Journal
from flxd.runs.summary import RunKey
from tests.admin.harness import HOST, TOKEN, AdminHarness, admin_server

# anyio, not pytest-asyncio: a fixture here holds a task group open across its yield.
pytestmark = pytest.mark.anyio

PROTECTED: list[tuple[str, str, Any]] = [
    ("GET", "/readyz", None),
    ("GET", "/metrics", None),
    ("GET", "/", None),
    ("GET", "/api/status", None),
    ("POST", "/api/runs", {"connection": "mem", "operation": "get_orders"}),
    ("POST", "/api/orders/1/shipments", {"carrier": "UPS", "tracking_number": "1Z999"}),
    ("GET", "/no/such/page", None),
]


async def counts(h: AdminHarness) -> tuple[int, int]:
    """(runs recorded, shipments recorded): what a refused request must not change."""
    async with h.db.transaction() as tx:
        runs = await Journal(tx, h.clock.now()).runs(limit=1000)
        shipments = await OrderBook(tx, h.clock.now()).shipments_of(1)
    return len(runs), len(shipments)


async def test_healthz_needs_no_token(admin: AdminHarness) -> None:
    reply = await admin.call("GET", "/healthz", token=None)
    assert (reply.status, reply.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
@pytest.mark.parametrize("token", [None, "wrong-token", TOKEN + "x", ""])
async def test_a_missing_or_wrong_token_is_401_and_changes_nothing(
    admin: AdminHarness, method: str, path: str, body: Any, token: str | None
) -> None:
    await admin.run(Operation.GET_ORDERS)  # order 1 exists, so a shipment could be recorded
    before = await counts(admin)
    reply = await admin.call(method, path, token=token, json=body)
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == 'Bearer realm="flxd"'
    assert "admin token" in reply.json()["error"]
    await admin.runner.wait_idle()
    assert await counts(admin) == before


async def test_the_right_token_is_let_through(admin: AdminHarness) -> None:
    await admin.run(Operation.GET_ORDERS)
    reply = await admin.call(
        "POST", "/api/orders/1/shipments", json={"carrier": "UPS", "tracking_number": "1Z"}
    )
    assert reply.status == 201
    assert (await admin.call("GET", "/readyz")).status == 200
    # The scheme name is case-insensitive (RFC 7235).
    reply = await admin.call(
        "GET", "/readyz", token=None, headers={"Authorization": f"bearer {TOKEN}"}
    )
    assert reply.status == 200


async def test_without_a_configured_token_only_healthz_answers(tmp_path: Path) -> None:
    async with admin_server(tmp_path, token=None) as h:
        assert (await h.call("GET", "/healthz", token=None)).status == 200
        for method, path, body in PROTECTED:
            reply = await h.call(method, path, token="anything", json=body)
            assert reply.status == 403, path
            assert "FLXD_ADMIN_TOKEN" in reply.json()["error"]


async def test_the_status_page_swaps_the_query_token_for_a_read_only_cookie(
    admin: AdminHarness,
) -> None:
    with structlog.testing.capture_logs() as logs:
        reply = await admin.call("GET", f"/?token={TOKEN}&x=1", token=None)
    assert reply.status == 303
    assert reply.headers["Location"] == "/?x=1"  # the token leaves the address bar at once
    cookie = reply.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert TOKEN not in value  # it holds an HMAC of the token, not the token
    assert TOKEN not in repr(logs)

    page = await admin.call("GET", "/", token=None, cookies={COOKIE: value})
    assert page.status == 200 and "<title>flxd" in page.text
    metrics = await admin.call("GET", "/metrics", token=None, cookies={COOKIE: value})
    assert metrics.status == 200
    # A cookie never authorises a change (no cross-site request forgery through a browser).
    before = await counts(admin)
    refused = await admin.call(
        "POST",
        "/api/runs",
        token=None,
        cookies={COOKIE: value},
        json={"connection": "mem", "operation": "get_orders"},
    )
    assert refused.status == 401
    assert await counts(admin) == before


async def test_a_wrong_query_token_or_cookie_gets_nothing(admin: AdminHarness) -> None:
    reply = await admin.call("GET", "/?token=guess", token=None)
    assert reply.status == 401 and "Set-Cookie" not in reply.headers
    reply = await admin.call("GET", "/", token=None, cookies={COOKIE: "0" * 64})
    assert reply.status == 401


def test_the_token_comes_from_the_config_else_from_flxd_admin_token(tmp_path: Path) -> None:
    secret = tmp_path / "admin-token"
    secret.write_text("from-the-file\n")
    os.chmod(secret, stat.S_IRUSR | stat.S_IWUSR)
    with_file = parse_config(f'[admin]\ntoken_file = "{secret}"\n', registries=HOST)
    plain = parse_config("", registries=HOST)
    env = {"FLXD_ADMIN_TOKEN": "from-the-env"}
    token = resolve_token(with_file.admin, env)
    assert token is not None and token.get_secret_value() == "from-the-file"
    token = resolve_token(plain.admin, env)
    assert token is not None and token.get_secret_value() == "from-the-env"
    assert resolve_token(plain.admin, {"FLXD_ADMIN_TOKEN": "  "}) is None
    assert resolve_token(plain.admin, {}) is None


async def test_plugin_routes_public_ones_skip_the_token(tmp_path: Path) -> None:
    seen: list[WebContext] = []

    async def hook(request: web.Request, ctx: WebContext) -> web.StreamResponse:
        seen.append(ctx)
        accepted = ctx.request_run("mem", Operation.GET_ORDERS, "webhook")
        return web.json_response({"accepted": accepted})

    routes = [
        Registration(
            "shop-plugin",
            WebRoute(name="hook", method="POST", path="/hooks/shop", handler=hook, public=True),
        ),
        Registration(
            "shop-plugin",
            WebRoute(name="private", method="GET", path="/shop/private", handler=hook),
        ),
    ]
    async with admin_server(tmp_path, routes=routes) as h:
        reply = await h.call("POST", "/hooks/shop", token=None)
        assert (reply.status, reply.json()) == (200, {"accepted": True})
        assert seen[0].config is h.config and seen[0].state_dir == h.config.daemon.state_dir
        await h.runner.wait_idle()
        last = h.runner.last_summary(RunKey("mem", Operation.GET_ORDERS))
        assert last is not None and last.trigger == "webhook"
        assert (await h.call("GET", "/shop/private", token=None)).status == 401
        assert (await h.call("GET", "/shop/private")).status == 200


async def test_a_crashing_handler_is_a_500_that_reveals_nothing(tmp_path: Path) -> None:
    async def broken(request: web.Request, ctx: WebContext) -> web.StreamResponse:
        raise RuntimeError("secret internals")

    routes = [Registration("p", WebRoute(name="b", method="GET", path="/b", handler=broken))]
    async with admin_server(tmp_path, routes=routes) as h:
        with structlog.testing.capture_logs() as logs:
            reply = await h.call("GET", "/b")
        assert reply.status == 500 and "secret" not in reply.text
        assert any(e["event"] == "admin request failed" for e in logs)


async def test_a_plugin_route_cannot_take_a_core_path(tmp_path: Path) -> None:
    async def handler(request: web.Request, ctx: WebContext) -> web.StreamResponse:
        return web.Response()

    taken = [
        Registration("greedy", WebRoute(name="m", method="GET", path="/metrics", handler=handler))
    ]
    with pytest.raises(ExceptionGroup) as raised:  # from the harness's task group
        async with admin_server(tmp_path, routes=taken):
            pass
    assert raised.group_contains(PluginError, match="web route 'm' .*: that path is served already")
