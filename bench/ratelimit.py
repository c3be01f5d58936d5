"""Quota use against a store with a short rate-limit window: a long catalog read through the
core limiter, measured on the sandbox's side.

Run: python bench/ratelimit.py [--quota 150] [--window-ms 3000] [--windows 8]
Last line: utilisation=N late_429=N (requests served / quota available over the run; 429s
after the first window). Targets: utilisation >= 0.95, late_429 = 0.
"""

from __future__ import annotations

import argparse
import time

import aiohttp
import anyio
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.policy import BigCommercePolicy
from flxd_bigcommerce.sandbox import Sandbox, SandboxConfig

from flxd.clock import SystemClock
from flxd.net.http import HttpClient
from flxd.net.ratelimit import Limiter


def rejected(sandbox: Sandbox, store_hash: str) -> int:
    counters = sandbox.store(store_hash).counters.by_status
    return sum(n for (_, status), n in counters.items() if status == 429)


def served(sandbox: Sandbox, store_hash: str) -> int:
    counters = sandbox.store(store_hash).counters.by_status
    return sum(n for (_, status), n in counters.items() if status < 400)


async def main(quota: int, window_ms: int, windows: int) -> None:
    window = window_ms / 1000
    sandbox = Sandbox(SandboxConfig(seed_products=300, quota=quota, window_ms=window_ms))
    async with sandbox.serve() as base_url, aiohttp.ClientSession() as session:
        store_hash = sandbox.store_hashes[0]
        token = sandbox.default_token(store_hash)

        async def get_token() -> str:
            return token

        clock = SystemClock()
        limiter = Limiter(clock, max_concurrency=3)
        http = HttpClient(session=session, limiter=limiter, policy=BigCommercePolicy(), clock=clock)
        client = BigCommerceClient(
            http, store_hash=store_hash, token=get_token, api_base_url=base_url
        )
        first_window_429 = 0

        async def read_catalog_forever() -> None:
            while True:  # one product per page: as many requests as the quota allows
                async for _ in client.v3_pages("/catalog/products", limit=1):
                    pass

        async def mark_first_window() -> None:
            nonlocal first_window_429
            await anyio.sleep(window)
            first_window_429 = rejected(sandbox, store_hash)

        started = time.monotonic()
        async with anyio.create_task_group() as tg:
            for _ in range(3):  # three readers share the one limiter, as operations do
                tg.start_soon(read_catalog_forever)
            tg.start_soon(mark_first_window)
            await anyio.sleep(windows * window)
            tg.cancel_scope.cancel()
        elapsed = time.monotonic() - started
        done, late = served(sandbox, store_hash), rejected(sandbox, store_hash) - first_window_429
    available = quota * elapsed / window
    print(
        f"{done} requests served in {elapsed:.1f} s ({elapsed / window:.2f} windows of "
        f"{window_ms} ms, quota {quota}); 429s: {first_window_429} in the first window, "
        f"{late} after; limiter waited {limiter.stats.waited:.1f} s"
    )
    print(f"utilisation={done / available:.3f} late_429={late}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quota", type=int, default=150)
    parser.add_argument("--window-ms", type=int, default=3000)
    parser.add_argument("--windows", type=int, default=8)
    args = parser.parse_args()
    anyio.run(main, args.quota, args.window_ms, args.windows)
