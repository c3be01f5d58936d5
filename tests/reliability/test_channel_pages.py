"""Bad data from the channel, whole pages through real runs (hypothesis).

A store that answers with a page of good products (or orders) and one hostile one: the run
(`import_listings`, `get_orders`) must not fail; it skips exactly the records the mapper refuses
(each counted, with its reason) and stores every other record with exactly the values the
mapper read from it.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import structlog
from aiohttp import web
from flxd_bigcommerce.listings.products import parse_product
from flxd_bigcommerce.orders.mapping import map_order, needs_subresources, order_id_of
from flxd_bigcommerce.parse import parse_date
from hypothesis import HealthCheck, assume, given, settings

from flxd.config import parse_config
from flxd.daemon.lifecycle import Daemon
from flxd.daemon.selection import Selection
from flxd.errors import RecordError
from flxd.hub.matching import ChannelProduct
from flxd.hub.model import Order
from flxd.operation import Operation
from flxd.plugin.manager import load_plugins
from flxd.runs.journal import RunOutcome
from flxd.runs.summary import RunSummary
from tests.reliability.channel_payloads import (
    mutated,
    order_parts,
    order_templates,
    product_templates,
)
from tests.reliability.conftest import report_when_done

HOST = load_plugins()
STORE = "abc"
RUNS: Counter[str] = Counter()
_counts = report_when_done(runs=lambda: dict(RUNS))  # what was checked


class Page:
    """What the fake store answers: one page of products or orders, and order parts."""

    def __init__(self, products: list[Any], orders: list[Any], parts: dict[str, Any]) -> None:
        self.products, self.orders, self.parts = products, orders, parts

    async def products_page(self, request: web.Request) -> web.Response:
        meta = {"pagination": {"total": len(self.products), "count": len(self.products)}}
        meta["pagination"].update(per_page=250, current_page=1, total_pages=1)
        return _json({"data": self.products, "meta": meta})

    async def orders_page(self, request: web.Request) -> web.Response:
        return _json(self.orders) if self.orders else web.Response(status=204)

    async def order_part(self, request: web.Request) -> web.Response:
        return _json(self.parts[request.match_info["part"]])


def _json(value: Any) -> web.Response:
    return web.Response(body=json.dumps(value).encode(), content_type="application/json")


@asynccontextmanager
async def store(page: Page) -> AsyncIterator[str]:
    app = web.Application()
    base = f"/stores/{STORE}"
    app.router.add_get(base + "/v3/catalog/products", page.products_page)
    app.router.add_get(base + "/v2/orders", page.orders_page)
    app.router.add_get(base + "/v2/orders/{id}/{part}", page.order_part)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


async def run(page: Page, operation: Operation, tmp: Path) -> tuple[RunSummary, list[str]]:
    """The run's summary, and the reasons of the records it skipped."""
    async with store(page) as base_url:
        text = (
            f'[daemon]\nstate_dir = "{tmp}"\n[admin]\nenabled = false\n'
            f'[connections.shop]\nchannel = "bigcommerce"\nstore_hash = "{STORE}"\n'
            f'access_token_env = "T"\napi_base_url = "{base_url}"\n'
            f"[connections.shop.{operation.value}]\nenabled = true\n"
        )
        if operation is Operation.GET_ORDERS:
            text += "statuses = [11]\n"  # what the templates were placed in
        config = parse_config(
            text, registries=HOST, base_dir=tmp, environ={"T": "token"}, path=tmp / "f.toml"
        )
        with structlog.testing.capture_logs() as logs:
            [summary] = await Daemon(config, HOST).run_once(Selection("shop", operation))
    return summary, [line["reason"] for line in logs if line["event"] == "record skipped"]


def rows(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, args).fetchall()


def _parsed(raw: dict[str, Any]) -> ChannelProduct | RecordError:
    try:
        return parse_product(raw)
    except RecordError as exc:
        return exc


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated(product_templates()))
def test_a_page_with_a_bad_product_imports_the_rest(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    source, bad = case
    good = [p for p in product_templates() if p["id"] != source["id"]]
    # A list, not a set: the mutated id may be unhashable (a list, a dict).
    assume(bad.get("id") not in [p["id"] for p in good])
    page: list[Any] = [*good[:3], bad, *good[3:6]]
    expected = [_parsed(raw) for raw in page]
    refused = [e for e in expected if isinstance(e, RecordError)]
    products = [e for e in expected if isinstance(e, ChannelProduct)]
    skus = Counter(s.lower() for p in products for i in p.items if (s := i.master("sku")))
    with tempfile.TemporaryDirectory() as tmp:
        # Twice: a first run reads the catalog whole (by id), the next only what changed (by
        # date), and each way must get past the bad product.
        for _ in range(2):
            page_run = Page(page, [], {})
            summary, skipped = anyio.run(run, page_run, Operation.IMPORT_LISTINGS, Path(tmp))
            assert summary.outcome in (RunOutcome.OK, RunOutcome.PARTIAL), summary.error
        hub = {
            r["sku"].lower(): r
            for r in rows(Path(tmp) / "flxd.db", "SELECT sku, price, quantity FROM variants")
        }
    RUNS["import_listings"] += 1
    RUNS["products_refused"] += len(refused)
    assert summary.counts.get("products", 0) == len(products)
    # Each refused product is skipped with its reason (items without a SKU are, too).
    for error in refused:
        assert f"{error.record}: {error}" in skipped, (error, skipped)
    for product in products:
        for item in product.items:
            sku = item.master("sku")
            if not sku or skus[sku.lower()] > 1:
                continue  # no master SKU, or two items claim it: skipped with a reason
            stored = hub.get(sku.lower())
            assert stored is not None, f"{item.record} ({sku}) was not stored"
            price = None if stored["price"] is None else Decimal(stored["price"])
            assert (price, stored["quantity"]) == (item.price, item.quantity), item.record


def _expected_order(raw: Any, source_id: int) -> Order | RecordError:
    try:
        if not isinstance(raw, dict):
            raise RecordError("not an object")
        order_id_of(raw)
        parse_date(raw.get("date_modified"), "date_modified")
        if not needs_subresources(raw):
            return map_order("shop", raw)
        parts = order_parts(source_id)
        return map_order(
            "shop", raw, products=parts["products"], shipping_addresses=parts["shipping_addresses"]
        )
    except RecordError as exc:
        return exc


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated(order_templates()))
def test_a_page_with_a_bad_order_imports_the_rest(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    source, bad = case
    good = [o for o in order_templates() if o["id"] != source["id"]]
    assume(bad.get("id") not in [o["id"] for o in good])
    page = [good[0], bad, *good[1:]]
    expected = [_expected_order(raw, source["id"]) for raw in page]
    refused = [e for e in expected if isinstance(e, RecordError)]
    orders = [e for e in expected if isinstance(e, Order)]
    with tempfile.TemporaryDirectory() as tmp:
        summary, skipped = anyio.run(
            run, Page([], page, order_parts(source["id"])), Operation.GET_ORDERS, Path(tmp)
        )
        assert summary.outcome in (RunOutcome.OK, RunOutcome.PARTIAL), summary.error
        db = Path(tmp) / "flxd.db"
        hub = {r["channel_order_id"]: r for r in rows(db, "SELECT * FROM orders")}
        lines = Counter(
            r["channel_order_id"]
            for r in rows(
                db,
                "SELECT o.channel_order_id FROM order_lines l JOIN orders o ON o.id = l.order_id",
            )
        )
    RUNS["get_orders"] += 1
    RUNS["orders_refused"] += len(refused)
    assert summary.counts.get("skipped", 0) == len(refused), skipped
    assert summary.counts.get("imported", 0) == len(orders) == len(hub)
    for order in orders:
        stored = hub[order.channel_order_id]
        assert Decimal(stored["grand_total"]) == order.grand_total
        assert (stored["created_at"][:19], stored["status_code"]) == (
            order.created_at.isoformat()[:19],
            order.status_code,
        )
        assert lines[order.channel_order_id] == len(order.lines)
