"""get_orders against the BigCommerce sandbox (quotas off): throughput, requests, latency.

1. Throughput: a store with 20,000 orders awaiting fulfillment, 1-5 lines each, created over
   the past week; one `get_orders` run through the real daemon path (`run --once`) imports them
   all and acknowledges each by moving it to Awaiting Shipment. Orders per second of that run.
2. Requests: what the run sent, against the documented minimum
   (`flxd_bigcommerce.limits`): `GET /v2/orders` pages of 250, the one holding fewer than 250
   being the last (orders // 250 + 1), plus the acknowledgements: one `PUT /v2/orders/{id}`
   per order for `status` (V2 has no batch update), ceil(orders / 50) `POST
   /v3/orders/metafields` for `metafield` (no documented maximum; 50 is flxd's starting size).
3. At the store's quota: the same work on a second, identical store whose quota is on, with
   the 30 s window compressed to --quota-window-ms (150 requests a window, as on the Plus and
   Standard plans); `quota_s` is that run's wall time scaled back to 30 s windows, what a
   merchant waits for. The floor, (ceil(requests / 150) - 1) x 30 s, is printed beside it.
4. Latency: the daemon running with get_orders every 10 s while orders are placed on the
   sandbox at random moments; seconds from an order's checkout to its row in the hub.

The sandbox runs in its own process (this script with --serve), so it does not share a core
with flxd. Run: .venv/bin/python bench/orders.py [--orders 20000] [--latency-orders 40]
The last line is exactly ``orders_per_s=N request_ratio=N requests=N quota_s=N latency_p95_s=N``.
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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import anyio

STORE = "bench1"
QUOTA_STORE = "bench2"  # the same orders, with the quota on
SANDBOX_PID = 0  # the sandbox process, whose CPU is read around the throughput run


def process_cpu_s(pid: int) -> float:
    """A process's user + system CPU so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


TOKEN_ENV = "BENCH_BC_TOKEN"


# ---- the sandbox process ------------------------------------------------------------------------


async def serve(orders: int, products: int, seed: int) -> None:
    from flxd_bigcommerce.sandbox import CartLine, Sandbox, SandboxConfig

    sandbox = Sandbox(
        SandboxConfig(
            store_hashes=(STORE, QUOTA_STORE),
            seed_products=products,
            quota=None,
            webhooks=False,
            seed=seed,
        )
    )
    now = datetime.now(UTC)
    for store_hash in (STORE, QUOTA_STORE):
        catalog = sandbox.store(store_hash).catalog
        buyable = [
            (p.id, v.id)
            for p in catalog.products.values()
            if p.availability != "disabled"
            for v in catalog.variants_of(p.id)
            if (p.base_variant_id is None) == bool(v.option_value_ids)
        ]
        rng = random.Random(seed)
        spread = timedelta(days=7) / max(orders, 1)
        for n in range(orders):
            lines = [
                CartLine(product_id=p, variant_id=v, quantity=rng.randint(1, 3))
                for p, v in rng.sample(buyable, rng.randint(1, 5))
            ]
            created = now - timedelta(days=7) + spread * n
            sandbox.place_order(store_hash, lines, created_at=created)
    async with sandbox.serve() as base_url:
        tokens = " ".join(sandbox.default_token(h) for h in (STORE, QUOTA_STORE))
        print(f"READY {base_url} {tokens}", flush=True)
        await anyio.to_thread.run_sync(sys.stdin.read)  # until the parent closes our stdin


@contextmanager
def sandbox_process(orders: int, products: int, seed: int) -> Iterator[tuple[str, str, str]]:
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
                _, base_url, token, quota_token = line.split()
                break
        else:
            raise RuntimeError("the sandbox process exited before it was ready")
        global SANDBOX_PID
        SANDBOX_PID = process.pid
        yield base_url, token, quota_token
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


# ---- flxd ---------------------------------------------------------------------------------------


def flxd_config(
    tmp: Path, base_url: str, token: str, concurrency: int, ack: str, store: str = STORE
) -> Any:
    from flxd.config import parse_config
    from flxd.plugin.manager import load_plugins

    text = f"""
[daemon]
state_dir = "{tmp / ("state-" + store)}"
[admin]
enabled = false
[logging]
level = "warning"
[connections.bench]
channel = "bigcommerce"
store_hash = "{store}"
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


async def api_requests(
    session: aiohttp.ClientSession, base_url: str, store: str = STORE
) -> dict[str, int]:
    async with session.get(f"{base_url}/__sandbox/stores/{store}/counters") as answer:
        counters = await answer.json()
    totals = {endpoint: figures["total"] for endpoint, figures in counters.items()}
    totals["429"] = sum(figures.get("429", 0) for figures in counters.values())
    return totals


@dataclass(frozen=True, slots=True)
class Pass:
    """One get_orders run: how long it took and what it sent."""

    seconds: float
    cpu_s: float
    counts: dict[str, int]
    by_endpoint: dict[str, int]
    rejected: int  # of the requests, those the quota answered with a 429

    @property
    def requests(self) -> int:
        return sum(self.by_endpoint.values())


async def get_orders(
    config: Any, base_url: str, orders: int, store: str = STORE, profile: Path | None = None
) -> Pass:
    """One `run --once NAME get_orders`, timed, with the requests the store counted."""
    from flxd.daemon.lifecycle import Daemon
    from flxd.daemon.selection import Selection
    from flxd.operation import Operation
    from flxd.plugin.manager import load_plugins

    async with aiohttp.ClientSession() as session:
        before = await api_requests(session, base_url, store)
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
        after = await api_requests(session, base_url, store)
    if summary.error or summary.counts.get("imported") != orders:
        raise RuntimeError(f"the run did not import every order: {summary}")
    used = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    rejected = used.pop("429")
    return Pass(elapsed, cpu, dict(summary.counts), {k: n for k, n in used.items() if n}, rejected)


def documented_minimum(orders: int, ack: str) -> int:
    from flxd_bigcommerce.limits import acknowledge_requests, order_pages

    return order_pages(orders) + acknowledge_requests(orders, ack)


async def throughput(
    config: Any, base_url: str, orders: int, ack: str, profile: Path | None = None
) -> tuple[float, Pass]:
    sandbox_cpu = process_cpu_s(SANDBOX_PID)
    done = await get_orders(config, base_url, orders, profile=profile)
    sandbox_cpu = process_cpu_s(SANDBOX_PID) - sandbox_cpu
    rate = orders / done.seconds
    print(
        f"get_orders: {orders} orders in {done.seconds:.2f} s ({rate:.0f} orders/s), {done.counts}"
    )
    print(
        f"  flxd used {done.cpu_s:.2f} s of CPU ({orders / done.cpu_s:.0f} orders per CPU second)"
    )
    print(
        f"  the sandbox used {sandbox_cpu:.2f} s of CPU ({100 * sandbox_cpu / done.seconds:.0f}% "
        "of one core over the run: near 100% means the sandbox is what bounds the rate)"
    )
    for endpoint, n in sorted(done.by_endpoint.items()):
        print(f"  {endpoint}: {n}")
    print(
        f"requests: {done.requests} sent, documented minimum {documented_minimum(orders, ack)} "
        f"(pages of 250 and the one that ends them + acknowledgements by {ack})"
    )
    return rate, done


async def at_quota(
    tmp: Path, base_url: str, token: str, args: argparse.Namespace
) -> tuple[float, Pass]:
    """The same work on the second store, its quota on (150 a window, the window compressed);
    the wall time scaled back to 30 s windows."""
    from flxd_bigcommerce.limits import QUOTA_REQUESTS, QUOTA_WINDOW_S, quota_seconds

    window_ms = args.quota_window_ms
    async with aiohttp.ClientSession() as session:
        url = f"{base_url}/__sandbox/stores/{QUOTA_STORE}/quota"
        async with session.put(url, json={"quota": QUOTA_REQUESTS, "window_ms": window_ms}) as r:
            r.raise_for_status()
    config = flxd_config(tmp, base_url, token, args.concurrency, args.acknowledge, QUOTA_STORE)
    done = await get_orders(config, base_url, args.orders, QUOTA_STORE)
    scaled = done.seconds * QUOTA_WINDOW_S * 1000 / window_ms
    print(
        f"at the quota ({QUOTA_REQUESTS} requests per {window_ms} ms, standing for 30 s): "
        f"{done.requests} requests in {done.seconds:.1f} s = {scaled:.0f} s at 30 s windows "
        f"(floor {quota_seconds(done.requests):.0f} s), {done.rejected} of them answered 429"
    )
    return scaled, done


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
        sandbox_process(args.orders, args.products, args.seed) as (base_url, token, quota_token),
        tempfile.TemporaryDirectory() as tmp,
    ):
        config = flxd_config(Path(tmp), base_url, token, args.concurrency, args.acknowledge)
        rate, done = await throughput(config, base_url, args.orders, args.acknowledge, args.profile)
        quota_s, limited = await at_quota(Path(tmp), base_url, quota_token, args)
        p95 = await latency(config, base_url, args.latency_orders, args.latency_seconds, args.seed)
    ratio = done.requests / documented_minimum(args.orders, args.acknowledge)
    print(
        f"orders_per_s={rate:.0f} request_ratio={ratio:.3f} requests={limited.requests} "
        f"quota_s={quota_s:.0f} latency_p95_s={p95:.2f}"
    )


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
    parser.add_argument(
        "--quota-window-ms", type=int, default=500, help="the compressed 30 s quota window"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        anyio.run(serve, args.orders, args.products, args.seed)
        return
    anyio.run(run, args)


if __name__ == "__main__":
    main()
