"""The control API over HTTP, state files, the command line, and embedding the app."""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from flxd_woocommerce.sandbox import Sandbox, SandboxConfig
from flxd_woocommerce.sandbox.cli import config_from_args, configure_parser
from woo_env import STORE, Env, open_sandbox

from flxd.testing.clock import FakeClock


async def _call(env: Env, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    async with env.session.request(
        method, f"{env.base_url}/__sandbox{path}", json=body
    ) as response:
        text = await response.text()
        return response.status, json.loads(text) if text else None


@pytest.mark.asyncio
async def test_stores_keys_and_settings(plain: Env) -> None:
    status, made = await _call(
        plain,
        "POST",
        "/stores",
        {
            "name": "second",
            "seed_products": 3,
            "settings": {"shipment_tracking": True, "behaviour": "pessimistic"},
        },
    )
    assert status == 201
    assert (made["products"], made["shipment_tracking"], made["behaviour"]) == (
        3,
        True,
        "pessimistic",
    )
    assert made["site_url"] == f"{plain.base_url}/stores/second"
    status, key = await _call(plain, "POST", "/stores/second/keys", {"permissions": "read"})
    assert (
        status == 201 and key["permissions"] == "read" and key["consumer_secret"].startswith("cs_")
    )
    assert (await _call(plain, "DELETE", f"/stores/second/keys/{key['key_id']}"))[0] == 204
    status, changed = await _call(plain, "PATCH", "/stores/second/settings", {"permalinks": False})
    assert changed["permalinks"] is False
    assert (await _call(plain, "GET", "/stores/nope"))[0] == 404
    status, problem = await _call(plain, "POST", "/stores", {"name": "Bad Name"})
    assert status == 400 and "lowercase" in problem["error"]
    listed = (await _call(plain, "GET", "/stores"))[1]
    assert [s["name"] for s in listed["stores"]] == [STORE, "second"]


@pytest.mark.asyncio
async def test_shopping_orders_statuses_and_stock(plain: Env) -> None:
    _, product = await _call(
        plain,
        "POST",
        f"/stores/{STORE}/products",
        {
            "name": "Lamp",
            "regular_price": "30.00",
            "manage_stock": True,
            "stock_quantity": 3,
            "variations": [],
        },
    )
    status, order = await _call(
        plain,
        "POST",
        f"/stores/{STORE}/orders",
        {"lines": [{"product_id": product["id"], "quantity": 2}], "status": "on-hold"},
    )
    assert status == 201 and order["status"] == "on-hold" and order["total"] == "65.00"
    _, slug = await _call(plain, "POST", f"/stores/{STORE}/order-statuses", {"slug": "wc-packed"})
    assert slug["slug"] == "packed" and "packed" in slug["statuses"]
    _, changed = await _call(
        plain,
        "PUT",
        f"/stores/{STORE}/orders/{order['id']}",
        {"status": "packed", "quantities": {str(order["line_items"][0]["id"]): 1}},
    )
    assert changed["status"] == "packed" and changed["line_items"][0]["quantity"] == 1
    _, stock = await _call(plain, "PUT", f"/stores/{STORE}/stock/{product['id']}", {"quantity": 0})
    assert stock == {"id": product["id"], "stock_quantity": 0, "stock_status": "outofstock"}
    status, refused = await _call(
        plain, "POST", f"/stores/{STORE}/orders", {"lines": [{"product_id": product["id"]}]}
    )
    assert status == 400 and "not enough stock" in refused["error"]


@pytest.mark.asyncio
async def test_faults_capacity_counters_requests_and_deliveries(plain: Env) -> None:
    await plain.oauth().get("/wc/v3/products", per_page="0")
    await plain.oauth().get("/wc/v3/products")
    _, counters = await _call(plain, "GET", f"/stores/{STORE}/counters")
    assert counters["GET /wc/v3/products"] == {"total": 2, "400": 1, "200": 1}
    _, log = await _call(plain, "GET", f"/stores/{STORE}/requests")
    assert [r["valid"] for r in log["requests"]] == [False, True]
    assert log["problems"] == [
        "#1 GET /wc/v3/products -> 400: per_page must be between 1 (inclusive) and 100 (inclusive)"
    ]
    assert (await _call(plain, "DELETE", f"/stores/{STORE}/requests"))[0] == 204
    _, faults = await _call(
        plain, "PUT", f"/stores/{STORE}/faults", {"profile": "5xx", "rate": 0.5}
    )
    assert (faults["profile"], faults["rate"]) == ("5xx", 0.5)
    assert (await _call(plain, "PUT", f"/stores/{STORE}/faults", {"profile": "nope"}))[0] == 400
    _, capacity = await _call(
        plain, "PUT", f"/stores/{STORE}/capacity", {"workers": 3, "service_ms": 20}
    )
    assert (capacity["workers"], capacity["service_ms"]) == (3, 20)
    assert (await _call(plain, "PUT", f"/stores/{STORE}/capacity", {"workers": 0}))[0] == 400
    assert (await _call(plain, "GET", f"/stores/{STORE}/webhook-deliveries"))[1] == []
    assert (await _call(plain, "GET", "/certificate"))[0] == 404


@pytest.mark.asyncio
async def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "woo.json"
    config = SandboxConfig(state_file=state, seed_products=4, seed_orders=2, shipment_tracking=True)
    async with open_sandbox(config) as env:
        env.sandbox.register_order_status(STORE, "packed")
        mug = (
            await env.oauth().post(
                "/wc/v3/products",
                {"name": "Mug", "sku": "MUG", "meta_data": [{"key": "k", "value": {"a": 1}}]},
            )
        ).data
        key = env.sandbox.default_key(STORE)
    assert state.is_file()
    again = Sandbox(config, clock=FakeClock())
    store = again.store(STORE)
    assert store.catalog.products[mug["id"]].meta[0].value == {"a": 1}
    assert len(store.orders.orders) == 2 and "packed" in store.statuses.all()
    assert again.default_key(STORE).consumer_secret == key.consumer_secret
    assert (await _next_id(again)) > mug["id"]  # ids go on where they stopped


async def _next_id(sandbox: Sandbox) -> int:
    return sandbox.store(STORE).ids.next("post")


@pytest.mark.asyncio
async def test_the_certificate_is_served_for_clients_to_trust(https: Env) -> None:
    async with https.session.get(f"{https.base_url}/__sandbox/certificate") as response:
        assert response.status == 200
        assert (await response.read()) == https.sandbox.certificate_pem


@pytest.mark.asyncio
async def test_the_app_works_with_aiohttp_test_client() -> None:
    sandbox = Sandbox(SandboxConfig(store_names=("emb",), seed_products=2), clock=FakeClock())
    async with TestClient(TestServer(sandbox.app)) as client:
        response = await client.get("/stores/emb/wp-json/")
        assert response.status == 200
        assert "wc/v3" in (await response.json())["namespaces"]


def test_command_line_options_become_a_config() -> None:
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    config = config_from_args(
        parser.parse_args(
            [
                "--store",
                "a",
                "--store",
                "b",
                "--seed-products",
                "5",
                "--behaviour",
                "pessimistic",
                "--tls",
                "--workers",
                "4",
                "--service-ms",
                "80",
                "--no-permalinks",
                "--shipment-tracking",
                "--timezone",
                "UTC",
            ]
        )
    )
    assert config.store_names == ("a", "b") and config.behaviour == "pessimistic"
    assert config.tls and not config.permalinks and config.shipment_tracking
    assert (config.capacity.workers, config.capacity.service_ms) == (4, 80)
    with pytest.raises(ValueError, match="site_timezone"):
        SandboxConfig(site_timezone="Mars/Olympus")


def test_python_dash_m_serves_until_terminated(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flxd_woocommerce.sandbox",
            "--tls",
            "--seed-products",
            "2",
            "--cert-out",
            str(cert),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("WooCommerce sandbox at https://127.0.0.1:")
        base_url = first.split()[-1]
        import ssl
        import urllib.request

        context = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(f"{base_url}/__sandbox/stores", context=context) as response:
            assert json.loads(response.read())["stores"][0]["products"] == 2
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


@pytest.mark.asyncio
async def test_the_request_log_flags_routes_woocommerce_does_not_have(https: Env) -> None:
    assert (await https.client.get("/wc/v3/product")).code == "rest_no_route"
    assert (await https.client.get("/wc/v3/products", per_page="2")).status == 200
    log = https.sandbox.requests(STORE)
    assert log.problems() == ["#1 GET /wc/v3/product -> 404: no route matches GET /wc/v3/product"]
    assert [e.valid for e in log] == [False, True]
