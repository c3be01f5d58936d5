"""Listings against the BigCommerce sandbox with quotas off.

1. import_listings of the sandbox's seeded catalog (products with 0-5 variants each): 10,000
   products, then 100,000, each into a fresh SQLite hub by a fresh process, timed end to end (the
   whole run, as `flxd run --once NAME import_listings` does it) with that process's peak RSS;
2. on the 100,000-product hub, sync_listings of 10,000 changed variants (a new price and quantity
   each, chosen at random): the requests the run sent, against the documented minimum
   (`flxd_bigcommerce.limits`): ceil(variant prices / 50) (variants batch) + ceil(simple
   products' prices / 10) (products batch) + ceil(stock items / 2,000) (inventory absolute
   adjustments), where a product that tracks stock by product is one item.
   A cheaper route exists: a simple product's price written on its base variant, in the
   variants batch of 50. Whether a base variant's price becomes the product's price on a real
   store is not documented (API.md §7 documents the fallback the other way round), so flxd
   writes simple products' prices through the products batch; `request_ratio_base_variant` is
   the same requests against that cheaper, unconfirmed route's count.
3. at the store's quota: the same import and a sync of as many other changes again, on the
   same store with its quota on (150 requests per --quota-window-ms, by default BigCommerce's
   own 30 s, since one window's 150 pages take flxd seconds: compressing it would measure
   flxd, not the quota); `quota_s` is their wall time scaled to 30 s windows, `requests` what
   they sent.

The sandbox runs in its own process (seeding 100,000 products takes it ~20 s, not timed), so
the RSS and the time are flxd's.

Run: .venv/bin/python bench/listings.py [--products 100000] [--small 10000] [--changed 10000]
Last line: products_per_s=N peak_rss_mb=N rss_ratio=N request_ratio=N
request_ratio_base_variant=N requests=N quota_s=N
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import structlog
from flxd_bigcommerce import limits
from sandbox import STORE, sandbox_process  # bench/sandbox.py

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

NAME = "bench"
CHECKED_SEED = 5  # the measured sync's changes (read back); the run at the quota uses another


def config(state: Path, base_url: str, token: str) -> Config:
    text = (
        f'[daemon]\nstate_dir = "{state}"\n\n[connections.{NAME}]\nchannel = "bigcommerce"\n'
        f'store_hash = "{STORE}"\naccess_token_env = "BC_TOKEN"\napi_base_url = "{base_url}"\n'
        f"[connections.{NAME}.import_listings]\nenabled = true\n"
        f"[connections.{NAME}.sync_listings]\nenabled = true\n"
    )
    return parse_config(text, registries=load_plugins(), environ={"BC_TOKEN": token})


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def run(cfg: Config, operation: Operation) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    [summary] = await Daemon(cfg, load_plugins()).run_once(Selection(NAME, operation))
    seconds = time.perf_counter() - started
    assert summary.error is None, summary.error
    return seconds, summary.counts


# ---- worker processes ---------------------------------------------------------------------


async def import_worker(cfg: Config, base_url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        counters = f"{base_url}/__sandbox/stores/{STORE}/counters"
        await (await http.delete(counters)).read()
        seconds, counts = await run(cfg, Operation.IMPORT_LISTINGS)
        used = await (await http.get(counters)).json()
    return {
        "seconds": seconds,
        "counts": counts,
        "peak_rss_mb": peak_rss_mb(),
        "requests": sum(n["total"] for n in used.values()),
        "lower_bound": limits.import_listings_requests(counts["products"]),
    }


async def sync_worker(
    cfg: Config, base_url: str, token: str, changed: int, seed: int
) -> dict[str, Any]:
    first, _ = await run(cfg, Operation.SYNC_LISTINGS)  # the import's changes: nothing to push
    skus, bound = await change_variants(cfg, changed, seed)
    async with aiohttp.ClientSession() as http:
        counters = f"{base_url}/__sandbox/stores/{STORE}/counters"
        await (await http.delete(counters)).read()
        seconds, counts = await run(cfg, Operation.SYNC_LISTINGS)
        used = await (await http.get(counters)).json()
        # Not at the quota: the read-back would meet its 429s (it checked the same code path).
        checked = 0 if seed != CHECKED_SEED else await spot_check(http, base_url, token, skus)
    by_endpoint = {endpoint: n["total"] for endpoint, n in used.items()}
    return {
        "first_sync_seconds": first,
        "seconds": seconds,
        "counts": counts,
        "requests": sum(by_endpoint.values()),
        "by_endpoint": by_endpoint,
        "lower_bound": limits.sync_listings_requests(**bound),
        "base_variant_bound": limits.sync_requests_via_base_variants(**bound),
        "changes": bound,
        "checked": checked,
    }


async def change_variants(
    cfg: Config, count: int, seed: int
) -> tuple[dict[str, tuple[Decimal, int]], dict[str, int]]:
    """New price and quantity for `count` random variants; what pushing them changes, as the
    arguments of the minimums in `flxd_bigcommerce.limits`."""
    rng = random.Random(seed)
    async with open_hub(cfg) as db:
        async with db.transaction() as tx:
            rows = await tx.fetch("SELECT id, sku FROM variants ORDER BY id")
        chosen = rng.sample([(r["id"], r["sku"]) for r in rows], count)
        wanted = {
            sku: (Decimal(rng.randrange(100, 100_000)) / 100, rng.randrange(0, 500))
            for _, sku in chosen
        }
        async with db.transaction() as tx:
            await Catalog(tx, SystemClock().now()).upsert(
                [VariantUpdate(sku=s, price=p, quantity=q) for s, (p, q) in wanted.items()]
            )
            links = await Links(tx, SystemClock().now()).for_variants(
                NAME, [vid for vid, _ in chosen]
            )
    live = [k for k in links if k.state in LIVE_STATES]
    variant_prices = sum(1 for k in live if k.variant_ref)
    product_prices = sum(1 for k in live if not k.variant_ref)
    stock_items = {
        ("product", k.stock_ref)
        if k.stock_ref
        else ("variant", k.variant_ref)
        if k.variant_ref
        else ("product", k.product_ref)
        for k in live
    }
    changes = {
        "variant_prices": variant_prices,
        "product_prices": product_prices,
        "stock_items": len(stock_items),
    }
    return wanted, changes


async def spot_check(
    http: aiohttp.ClientSession, base_url: str, token: str, wanted: dict[str, tuple[Decimal, int]]
) -> int:
    """Read 50 of the changed SKUs back from the store: their price must be the hub's."""
    headers = {"X-Auth-Token": token}
    api = f"{base_url}/stores/{STORE}/v3/catalog"
    checked = 0
    for sku in random.Random(9).sample(sorted(wanted), 50):
        async with http.get(f"{api}/variants", params={"sku": sku}, headers=headers) as answer:
            data = (await answer.json())["data"]
        if not data:  # a simple product's SKU is the product's
            async with http.get(f"{api}/products", params={"sku": sku}, headers=headers) as answer:
                data = (await answer.json())["data"]
        price = data[0].get("price") or data[0].get("calculated_price")
        assert Decimal(str(price)) == wanted[sku][0], (sku, price, wanted[sku])
        checked += 1
    return checked


def worker(args: argparse.Namespace) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    cfg = config(Path(args.state), args.base_url, args.token)
    if args.worker == "import":
        result = anyio.run(import_worker, cfg, args.base_url)
    else:
        result = anyio.run(sync_worker, cfg, args.base_url, args.token, args.changed, args.seed)
    print(json.dumps(result))


# ---- the benchmark ------------------------------------------------------------------------


def in_process(
    kind: str,
    state: Path,
    base_url: str,
    token: str,
    changed: int = 0,
    seed: int = CHECKED_SEED,
) -> dict[str, Any]:
    """Run a worker in a fresh process (so its peak RSS is its own) and read its result."""
    answer = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            kind,
            "--state",
            str(state),
            "--base-url",
            base_url,
            "--token",
            token,
            "--changed",
            str(changed),
            "--seed",
            str(seed),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=10_000)
    parser.add_argument(
        "--quota-window-ms", type=int, default=30_000, help="the quota window (30 s: as on a store)"
    )
    parser.add_argument("--seed", type=int, default=CHECKED_SEED, help=argparse.SUPPRESS)
    parser.add_argument("--worker", choices=["import", "sync"], help=argparse.SUPPRESS)
    parser.add_argument("--state", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    imports: dict[int, dict[str, Any]] = {}
    sync: dict[str, Any] = {}
    quota: dict[str, dict[str, Any]] = {}
    for count in (args.small, args.products):
        with tempfile.TemporaryDirectory() as tmp, sandbox_process(count, 0) as (base_url, token):
            state = Path(tmp)
            imports[count] = result = in_process("import", state, base_url, token)
            counts = result["counts"]
            rate = counts["products"] / result["seconds"]
            print(
                f"import {counts['products']} products ({counts.get('created', 0)} variants): "
                f"{result['seconds']:.1f} s, {rate:.0f} products/s, "
                f"peak RSS {result['peak_rss_mb']:.0f} MB, {result['requests']} requests "
                f"(documented minimum {result['lower_bound']})"
            )
            assert counts["products"] == count, counts
            if count == args.products:
                sync = in_process("sync", state, base_url, token, args.changed)
                quota = at_quota(Path(tmp) / "quota", base_url, token, args)
    lower, cheaper = sync["lower_bound"], sync["base_variant_bound"]
    print(
        f"sync after the import (nothing to push): {sync['first_sync_seconds']:.1f} s; "
        f"sync of {args.changed} changed variants: {sync['seconds']:.1f} s, "
        f"counts {sync['counts']}, {sync['checked']} read back and correct"
    )
    print(f"  requests: {sync['requests']} {sync['by_endpoint']}")
    print(f"  documented minimum: {lower} for {sync['changes']}")
    print(f"  via base variants (cheaper, unconfirmed; not flxd's route): {cheaper}")
    big, small = imports[args.products], imports[args.small]
    scale = limits.QUOTA_WINDOW_S * 1000 / args.quota_window_ms
    requests = quota["import"]["requests"] + quota["sync"]["requests"]
    seconds = (quota["import"]["seconds"] + quota["sync"]["seconds"]) * scale
    print(
        f"at the quota (150 requests per {args.quota_window_ms} ms): import "
        f"{quota['import']['requests']} requests in {quota['import']['seconds']:.1f} s, sync "
        f"{quota['sync']['requests']} requests in {quota['sync']['seconds']:.1f} s; "
        f"{seconds:.0f} s at 30 s windows (floor {limits.quota_seconds(requests):.0f} s)"
    )
    print(
        f"products_per_s={big['counts']['products'] / big['seconds']:.0f} "
        f"peak_rss_mb={big['peak_rss_mb']:.0f} "
        f"rss_ratio={big['peak_rss_mb'] / small['peak_rss_mb']:.2f} "
        f"request_ratio={sync['requests'] / lower:.3f} "
        f"request_ratio_base_variant={sync['requests'] / cheaper:.3f} "
        f"requests={requests} quota_s={seconds:.0f}"
    )


def at_quota(
    state: Path, base_url: str, token: str, args: argparse.Namespace
) -> dict[str, dict[str, Any]]:
    """The import and a sync of as many other changes again, the store's quota on."""
    body = json.dumps({"quota": limits.QUOTA_REQUESTS, "window_ms": args.quota_window_ms})
    request = urllib.request.Request(
        f"{base_url}/__sandbox/stores/{STORE}/quota", data=body.encode(), method="PUT"
    )
    urllib.request.urlopen(request, timeout=30).read()
    state.mkdir()
    imported = in_process("import", state, base_url, token)
    synced = in_process("sync", state, base_url, token, args.changed, seed=6)
    return {"import": imported, "sync": synced}


if __name__ == "__main__":
    main()
