"""The WooCommerce channel against the emulated store over HTTPS (HTTP Basic), with no capacity
limit: throughput, and requests against the fewest WooCommerce's documented limits allow.

1. import_listings of the seeded catalog (simple and variable products, 2-6 variations each):
   products per second of the run, through the real daemon path (`run --once`);
2. get_orders of every seeded order (all statuses), each acknowledged with a meta field:
   orders per second of the run;
3. sync_listings of `--changed` variants given a new price and quantity.

request_ratio: the requests the three runs sent over the documented minimum, computed in
`flxd_woocommerce.limits`: 100 items a page (`per_page` 1-100), one variations listing per
variable product (WooCommerce lists variations only under their product), 100 items a batch
(`/batch`, create, update and delete together), a product's variations only through its own
batch route. So: ceil(products / 100) + sum over variable products of ceil(variations / 100)
for the import; ceil(orders / 100) pages + ceil(orders / 100) acknowledgement batches;
ceil(simple items / 100) + sum over products with changed variations of ceil(their changed
variations / 100) for the sync.

No quota figure: WooCommerce documents no request quota (what limits a site is its host's PHP
workers, which nobody publishes), so unlike the BigCommerce benchmarks there is no
"seconds at the store's quota"; `requests` is printed so the cost can still be compared.

The store runs in its own process (`python -m flxd_woocommerce.sandbox`), so it does not share
a core with flxd. Run: .venv/bin/python bench/woocommerce.py [--products 5000] [--orders 5000]
[--changed 2000]. The last line is exactly
``products_per_s=N orders_per_s=N request_ratio=N requests=N quota_s=none``.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import ssl
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import structlog
from flxd_woocommerce import limits

from flxd.clock import SystemClock
from flxd.config import Config, parse_config
from flxd.daemon.lifecycle import Daemon
from flxd.daemon.selection import Selection
from flxd.hub.catalog import Catalog
from flxd.hub.database import open_hub
from flxd.hub.links import LIVE_STATES, Links
from flxd.hub.model import VariantUpdate
from flxd.operation import Operation
from flxd.plugin.manager import load_plugins

STORE = "bench"
NAME = "woo"
STATUSES = '["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"]'


def start_sandbox(products: int, orders: int, cert: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "flxd_woocommerce.sandbox", "--store", STORE, "--tls"]
    command += ["--cert-out", str(cert), "--no-webhooks", "--seed", "3"]
    command += ["--seed-products", str(products), "--seed-orders", str(orders)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def config(state: Path, site: str, cert: Path, key: str, secret: str) -> Config:
    text = (
        f'[daemon]\nstate_dir = "{state}"\n\n[connections.{NAME}]\nchannel = "woocommerce"\n'
        f'url = "{site}"\nconsumer_key_env = "K"\nconsumer_secret_env = "S"\n'
        f'ca_file = "{cert}"\nmax_concurrency = 8\n'
        f"[connections.{NAME}.import_listings]\nenabled = true\n"
        f"[connections.{NAME}.sync_listings]\nenabled = true\n"
        f"[connections.{NAME}.get_orders]\nenabled = true\nstatuses = {STATUSES}\n"
        'acknowledge = "meta_data"\n'
    )
    return parse_config(text, registries=load_plugins(), environ={"K": key, "S": secret})


class Store:
    """The sandbox's control API."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base

    async def get(self, path: str) -> Any:
        async with self.http.get(f"{self.base}/__sandbox/stores/{STORE}{path}") as answer:
            return await answer.json()

    async def requests(self) -> int:
        counters = await self.get("/counters")
        async with self.http.delete(f"{self.base}/__sandbox/stores/{STORE}/counters"):
            pass
        return sum(figures["total"] for figures in counters.values())


async def catalog_shape(site: str, cert: Path, key: dict[str, str]) -> dict[str, Any]:
    """What the import reads, by the store's own listing: every product (the pages), and the
    variations of each variable product that is not a draft (one listing each)."""
    tls = ssl.create_default_context(cafile=str(cert))
    headers = {"Authorization": key["basic_authorization"]}
    products = 0
    variations: list[int] = []
    async with aiohttp.ClientSession(headers=headers) as http:
        page = 1
        while True:
            params = {"per_page": "100", "page": str(page), "_fields": "type,status,variations"}
            url = f"{site}/wp-json/wc/v3/products"
            async with http.get(url, params=params, ssl=tls) as answer:
                items = await answer.json()
                pages = int(answer.headers["X-WP-TotalPages"])
            products += len(items)
            variations += [
                len(i["variations"])
                for i in items
                if i["type"] == "variable" and i["status"] not in ("draft", "auto-draft")
            ]
            if page >= pages:
                return {"products": products, "variations_per_product": variations}
            page += 1


async def run(cfg: Config, operation: Operation) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    [summary] = await Daemon(cfg, load_plugins()).run_once(Selection(NAME, operation))
    assert summary.error is None, summary.error
    return time.perf_counter() - started, summary.counts


async def change_variants(cfg: Config, count: int) -> int:
    """A new price and quantity for `count` random linked variants; the fewest requests."""
    rng = random.Random(5)
    now = SystemClock().now()
    async with open_hub(cfg) as db:
        async with db.transaction() as tx:
            rows = await tx.fetch("SELECT id, sku FROM variants ORDER BY id")
            chosen = rng.sample([(r["id"], r["sku"]) for r in rows], min(count, len(rows)))
            links = await Links(tx, now).for_variants(NAME, [vid for vid, _ in chosen])
        async with db.transaction() as tx:
            await Catalog(tx, now).upsert(
                [
                    VariantUpdate(
                        sku=sku,
                        price=Decimal(rng.randrange(100, 100_000)) / 100,
                        quantity=rng.randrange(0, 500),
                    )
                    for _, sku in chosen
                ]
            )
    live = [k for k in links if k.state in LIVE_STATES]
    simple = sum(1 for k in live if not k.variant_ref)
    by_product: dict[str, int] = {}
    for k in live:
        if k.variant_ref:
            by_product[k.product_ref] = by_product.get(k.product_ref, 0) + 1
    return limits.sync_listings_requests(simple, by_product.values())


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    with tempfile.TemporaryDirectory() as tmp:
        cert = Path(tmp) / "site.pem"
        sandbox = start_sandbox(args.products, args.orders, cert)
        try:
            assert sandbox.stdout is not None
            banner = await anyio.to_thread.run_sync(sandbox.stdout.readline)
            base = banner.split(" at ", 1)[1].strip()
            tls = ssl.create_default_context(cafile=str(cert))
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=tls)) as http:
                store = Store(http, base)
                described = await store.get("")
                key = described["keys"][0]
                cfg = config(
                    Path(tmp) / "state", described["site_url"], cert,
                    key["consumer_key"], key["consumer_secret"],
                )  # fmt: skip
                catalog = await catalog_shape(described["site_url"], cert, key)
                await store.requests()
                import_s, imported = await run(cfg, Operation.IMPORT_LISTINGS)
                import_requests = await store.requests()
                orders_s, got = await run(cfg, Operation.GET_ORDERS)
                orders_requests = await store.requests()
                await run(cfg, Operation.SYNC_LISTINGS)  # the import's changes: nothing to push
                await store.requests()
                sync_bound = await change_variants(cfg, args.changed)
                sync_s, synced = await run(cfg, Operation.SYNC_LISTINGS)
                sync_requests = await store.requests()
        finally:
            sandbox.terminate()
            sandbox.wait()
    import_bound = limits.import_listings_requests(
        catalog["products"], catalog["variations_per_product"]
    )
    orders_bound = limits.order_pages(got["imported"]) + limits.acknowledge_requests(
        got["imported"]
    )
    requests = import_requests + orders_requests + sync_requests
    bound = import_bound + orders_bound + sync_bound
    return {
        "import": stage(import_s, imported, import_requests, import_bound),
        "get_orders": stage(orders_s, got, orders_requests, orders_bound),
        "sync": stage(sync_s, synced, sync_requests, sync_bound),
        "products_per_s": imported["products"] / import_s,
        "orders_per_s": got["imported"] / orders_s,
        "request_ratio": requests / bound,
        "requests": requests,
    }


def stage(seconds: float, counts: dict[str, int], requests: int, fewest: int) -> dict[str, Any]:
    return {"seconds": round(seconds, 2), "counts": counts, "requests": requests, "fewest": fewest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--changed", type=int, default=2000)
    result = anyio.run(bench, parser.parse_args())
    for stage in ("import", "get_orders", "sync"):
        print(f"{stage}: {json.dumps(result[stage])}")
    print(
        f"products_per_s={result['products_per_s']:.0f} orders_per_s={result['orders_per_s']:.0f} "
        f"request_ratio={result['request_ratio']:.3f} requests={result['requests']} quota_s=none"
    )


if __name__ == "__main__":
    main()
