"""How many pages per second the BigCommerce sandbox serves, so benchmarks of flxd know the
sandbox is not their bottleneck.

Starts the sandbox as a subprocess (its own core) with quotas off and a seeded store, then a
client that reads full pages for a few seconds per endpoint:

    GET /v3/catalog/products?limit=250&include=variants
    GET /v2/orders?limit=250

Run: .venv/bin/python bench/sandbox.py [--products 2500] [--orders 2500] [--seconds 3]
The last line is exactly ``pages_per_s=N orders_pages_per_s=N``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp

STORE = "bench1"


@contextmanager
def sandbox_process(products: int, orders: int) -> Iterator[tuple[str, str]]:
    """Start ``python -m flxd_bigcommerce.sandbox`` and read its base URL and token."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flxd_bigcommerce.sandbox",
            "--port",
            "0",
            "--quota",
            "0",
            "--store-hash",
            STORE,
            "--seed-products",
            str(products),
            "--seed-orders",
            str(orders),
            "--no-webhooks",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().split(" at ")[1].strip()
        token = next(
            line.split("X-Auth-Token: ")[1].strip()
            for line in process.stdout
            if "X-Auth-Token:" in line
        )
        yield base_url, token
    finally:
        process.terminate()
        process.wait(timeout=10)


async def pages_per_second(
    session: aiohttp.ClientSession, urls: list[str], seconds: float, workers: int
) -> tuple[float, int]:
    """Fetch ``urls`` round-robin from ``workers`` concurrent tasks for ``seconds``."""
    deadline = time.perf_counter() + seconds
    done = 0
    received = 0

    async def worker(offset: int) -> None:
        nonlocal done, received
        index = offset
        while time.perf_counter() < deadline:
            async with session.get(urls[index % len(urls)]) as response:
                body = await response.read()
                if response.status != 200:
                    raise RuntimeError(f"{response.url} answered {response.status}")
            done += 1
            received += len(body)
            index += workers

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for offset in range(workers):
            group.create_task(worker(offset))
    return done / (time.perf_counter() - started), received // max(done, 1)


async def run(args: argparse.Namespace) -> tuple[float, float]:
    with sandbox_process(args.products, args.orders) as (base_url, token):
        api = f"{base_url}/stores/{STORE}"
        headers = {"X-Auth-Token": token, "Accept": "application/json"}
        connector = aiohttp.TCPConnector(limit=args.workers)
        async with aiohttp.ClientSession(headers=headers, connector=connector) as session:
            product_pages = -(-args.products // 250)
            order_pages = max(1, args.orders // 250)
            products = [
                f"{api}/v3/catalog/products?limit=250&include=variants&page={page}"
                for page in range(1, product_pages + 1)
            ]
            orders = [
                f"{api}/v2/orders?limit=250&page={page}" for page in range(1, order_pages + 1)
            ]
            async with session.get(products[0]) as first:  # warm the JSON cache, check the shape
                page = json.loads(await first.read())
                assert page["meta"]["pagination"]["per_page"] == 250 and page["data"][0]["variants"]
            await pages_per_second(session, products, 1.0, args.workers)
            product_rate, product_size = await pages_per_second(
                session, products, args.seconds, args.workers
            )
            await pages_per_second(session, orders, 0.5, args.workers)
            order_rate, order_size = await pages_per_second(
                session, orders, args.seconds, args.workers
            )
    print(f"products: {product_rate:.0f} pages/s, {product_size / 1024:.0f} KiB per page")
    print(f"orders:   {order_rate:.0f} pages/s, {order_size / 1024:.0f} KiB per page")
    return product_rate, order_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=2500)
    parser.add_argument("--orders", type=int, default=2500)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    product_rate, order_rate = asyncio.run(run(args))
    print(f"pages_per_s={product_rate:.0f} orders_pages_per_s={order_rate:.0f}")


if __name__ == "__main__":
    main()
