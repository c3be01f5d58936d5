"""get_orders against the BigCommerce sandbox (quotas off): throughput, requests, latency.

1. Throughput: a store with 20,000 orders awaiting fulfillment, 1-5 lines each, created over
   the past week; one `get_orders` run through the real daemon path (`run --once`) imports them
   all and acknowledges each by moving it to Awaiting Shipment. Orders per second of that run.
2. Requests: what the run sent, against the least BigCommerce allows: one page per 250 orders
   plus one acknowledgement write per order.
3. Latency: the daemon running with get_orders every 10 s while orders are placed on the
   sandbox at random moments; seconds from an order's checkout to its row in the hub.

The sandbox runs in its own process (this script with --serve), so it does not share a core
with flxd. Run: .venv/bin/python bench/orders.py [--orders 20000] [--latency-orders 40]
The last line is exactly ``orders_per_s=N request_ratio=N latency_p95_s=N``.
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import anyio

STORE = "bench1"
TOKEN_ENV = "BENCH_BC_TOKEN"


# ---- the sandbox process ------------------------------------------------------------------------


async def serve(orders: int, products: int, seed: int) -> None:
    from flxd_bigcommerce.sandbox import CartLine, Sandbox, SandboxConfig

    sandbox = Sandbox(
        SandboxConfig(
            store_hashes=(STORE,), seed_products=products, quota=None, webhooks=False, seed=seed
        )
    )
    store = sandbox.store(STORE)
    catalog = store.catalog
    buyable = [
        (p.id, v.id)
        for p in catalog.products.values()
        if p.availability != "disabled"
        for v in catalog.variants_of(p.id)
        if (p.base_variant_id is None) == bool(v.option_value_ids)
    ]
    rng = random.Random(seed)
    now = datetime.now(UTC)
    spread = timedelta(days=7) / max(orders, 1)
    for n in range(orders):
        lines = [
            CartLine(product_id=p, variant_id=v, quantity=rng.randint(1, 3))
            for p, v in rng.sample(buyable, rng.randint(1, 5))
        ]
        created = now - timedelta(days=7) + spread * n
        sandbox.place_order(STORE, lines, created_at=created)
    async with sandbox.serve() as base_url:
        print(f"READY {base_url} {sandbox.default_token(STORE)}", flush=True)
        await anyio.to_thread.run_sync(sys.stdin.read)  # until the parent closes our stdin


@contextmanager
def sandbox_process(orders: int, products: int, seed: int) -> Iterator[tuple[str, str]]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--orders", str(orders), "--products", str(products)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("READY "):
                _, base_url, token = line.split()
                break
        else:
            raise RuntimeError("the sandbox process exited before it was ready")
        yield base_url, token
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


# ---- flxd ---------------------------------------------------------------------------------------


def flxd_config(tmp: Path, base_url: str, token: str, concurrency: int, ack: str) -> Any:
    from flxd.config import parse_config
    from flxd.plugin.manager import load_plugins

    text = f"""
[daemon]
state_dir = "{tmp / "state"}"
[admin]
enabled = false
[logging]
level = "warning"
[connections.bench]
channel = "bigcommerce"
store_hash = "{STORE}"
access_token_env = "{TOKEN_ENV}"
api_base_url = "{base_url}"
max_concurrency = {concurrency}
[connections.bench.get_orders]
enabled = true
interval = "10s"
statuses = ["Awaiting Fulfillment"]
acknowledge = "{ack}"
acknowledge_status = "Awaiting Shipment"
"""
    return parse_config(
        text, registries=load_plugins(), base_dir=tmp, environ={TOKEN_ENV: token}, path=tmp / "f"
    )


async def api_requests(session: aiohttp.ClientSession, base_url: str) -> dict[str, int]:
    async with session.get(f"{base_url}/__sandbox/stores/{STORE}/counters") as answer:
        counters = await answer.json()
    return {endpoint: figures["total"] for endpoint, figures in counters.items()}


async def throughput(
    config: Any, base_url: str, orders: int, profile: Path | None = None
) -> tuple[float, float]:
    from flxd.daemon.lifecycle import Daemon
    from flxd.daemon.selection import Selection
    from flxd.operation import Operation
    from flxd.plugin.manager import load_plugins

    async with aiohttp.ClientSession() as session:
        before = await api_requests(session, base_url)
        profiler = cProfile.Profile() if profile else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        [summary] = await Daemon(config, load_plugins()).run_once(
            Selection("bench", Operation.GET_ORDERS)
        )
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        after = await api_requests(session, base_url)
    if summary.error or summary.counts.get("imported") != orders:
        raise RuntimeError(f"the run did not import every order: {summary}")
    used = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    sent = sum(n for n in used.values() if n)
    lower = math.ceil(orders / 250) + summary.counts.get("acknowledged", 0)
    rate = orders / elapsed
    print(f"get_orders: {orders} orders in {elapsed:.2f} s ({rate:.0f} orders/s), {summary.counts}")
    print(f"  flxd used {cpu:.2f} s of CPU ({orders / cpu:.0f} orders per CPU second)")
    for endpoint, n in sorted(used.items()):
        if n:
            print(f"  {endpoint}: {n}")
    print(f"requests: {sent} sent, lower bound {lower} (pages of 250 + acknowledgements)")
    return rate, sent / lower


async def latency(config: Any, base_url: str, count: int, seconds: float, seed: int) -> float:
    from flxd.daemon.lifecycle import Daemon
    from flxd.hub.database import open_hub
    from flxd.plugin.manager import load_plugins

    rng = random.Random(seed)
    placed: dict[str, float] = {}  # channel order id -> wall time of checkout
    stored: dict[str, float] = {}
    daemon = Daemon(config, load_plugins())
    async with anyio.create_task_group() as tg, aiohttp.ClientSession() as session:
        tg.start_soon(daemon.serve)
        await anyio.sleep(1)
        start = time.time()
        moments = sorted(rng.uniform(0, seconds) for _ in range(count))
        async with open_hub(config) as db:
            for moment in moments:
                await anyio.sleep(max(0.0, start + moment - time.time()))
                body = {"status_id": 11}
                async with session.post(
                    f"{base_url}/__sandbox/stores/{STORE}/orders", json=body
                ) as answer:
                    placed[str((await answer.json())["id"])] = time.time()
            while len(stored) < len(placed) and time.time() < start + seconds + 60:
                await anyio.sleep(0.1)
                marks = ", ".join("?" * len(placed))
                async with db.transaction() as tx:
                    rows = await tx.fetch(
                        f"SELECT channel_order_id, imported_at FROM orders "
                        f"WHERE channel_order_id IN ({marks})",
                        *placed,
                    )
                for row in rows:
                    stored[row[0]] = datetime.fromisoformat(row[1]).timestamp()
        os.kill(os.getpid(), signal.SIGTERM)  # the daemon drains and returns
    delays = sorted(stored[k] - placed[k] for k in stored)
    if len(delays) < len(placed):
        raise RuntimeError(f"only {len(delays)} of {len(placed)} orders reached the hub")
    p95 = delays[max(0, math.ceil(0.95 * len(delays)) - 1)]
    print(
        f"latency (get_orders every 10 s): {len(delays)} orders, median "
        f"{delays[len(delays) // 2]:.2f} s, p95 {p95:.2f} s, max {delays[-1]:.2f} s"
    )
    return p95


async def run(args: argparse.Namespace) -> None:
    from flxd.logging import configure_logging

    configure_logging(level="warning")
    with (
        sandbox_process(args.orders, args.products, args.seed) as (base_url, token),
        tempfile.TemporaryDirectory() as tmp,
    ):
        config = flxd_config(Path(tmp), base_url, token, args.concurrency, args.acknowledge)
        rate, ratio = await throughput(config, base_url, args.orders, args.profile)
        p95 = await latency(config, base_url, args.latency_orders, args.latency_seconds, args.seed)
    print(f"orders_per_s={rate:.0f} request_ratio={ratio:.3f} latency_p95_s={p95:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--latency-orders", type=int, default=40)
    parser.add_argument("--latency-seconds", type=float, default=90.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--acknowledge", choices=["status", "metafield", "none"], default="status")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the get_orders run")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        anyio.run(serve, args.orders, args.products, args.seed)
        return
    anyio.run(run, args)


if __name__ == "__main__":
    main()
