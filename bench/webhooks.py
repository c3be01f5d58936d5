"""Latency from an order placed on the store to the order stored in the hub, with webhooks, on
the **pessimistic** store by default: deliveries arrive up to 60 s late, some twice, out of
order, and 5% never; a new order shows in `GET /v2/orders` only seconds after it was placed
(see flxd_bigcommerce.sandbox.behaviour). Every order placed counts: one whose webhook was
lost reaches the hub through polling, at the connection's get_orders interval (flxd's default,
5 minutes, unless --poll-interval), and its latency is that long. `--behaviour documented`
measures prompt deliveries (polling then every hour, so only webhooks can be that fast).

Run: python bench/webhooks.py [--orders 40] [--seconds 30] [--behaviour pessimistic]
Last line: latency_p50_s=N latency_p95_s=N orders=N lost_deliveries=N missing=N duplicates=N
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
from flxd_bigcommerce.sandbox import Sandbox, SandboxConfig
from flxd_bigcommerce.sandbox.behaviour import BEHAVIOURS, check_name

from flxd.config.types import parse_duration

SECRET_KEY = "bench-webhooks-secret-key-0123456789"


def stored(db: Path, order_ids: set[str]) -> set[str]:
    if not db.exists():
        return set()
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            rows = conn.execute("SELECT channel_order_id FROM orders").fetchall()
    except sqlite3.Error:
        return set()
    return {r[0] for r in rows} & order_ids


async def main(orders: int, seconds: float, behaviour: str, poll: str | None) -> None:
    sandbox = Sandbox(
        SandboxConfig(seed_products=20, quota=None, behaviour=check_name(behaviour), seed=7)
    )
    if poll is None and behaviour == "documented":
        poll = "1h"
    interval = f'interval = "{poll}"' if poll else "# interval: flxd's default"
    # Lost deliveries wait for the next poll; late ones for up to 60 s.
    patience = 30 + (parse_duration(poll) if poll else 300.0) + 60 * (behaviour == "pessimistic")
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        async with sandbox.serve() as base_url:
            store = sandbox.store_hashes[0]
            config = Path(tmp) / "flxd.toml"
            config.write_text(f"""
[daemon]
state_dir = "{state}"
[logging]
level = "warning"
[connections.shop]
channel = "bigcommerce"
store_hash = "{store}"
client_id = "bench"
access_token_env = "BC_TOKEN"
api_base_url = "{base_url}"
webhooks = true
[connections.shop.get_orders]
enabled = true
{interval}
""")
            env = {
                **os.environ,
                "BC_TOKEN": sandbox.default_token(store),
                "FLXD_SECRET_KEY": SECRET_KEY,
                "FLXD_ADMIN_TOKEN": "bench",
            }
            daemon = await anyio.open_process(
                [
                    sys.executable,
                    "-m",
                    "flxd",
                    "--config",
                    str(config),
                    "run",
                    "--admin-listen",
                    "127.0.0.1:0",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                # Ready when its hooks are registered and the first poll is done.
                # The bench watches from outside, as an operator would: it polls.
                while len(sandbox.store(store).hooks.hooks) < 3:  # noqa: ASYNC110
                    await anyio.sleep(0.05)
                await anyio.sleep(6)
                rng = random.Random(7)
                placed: dict[str, float] = {}
                latencies: list[float] = []
                gaps = sorted(rng.uniform(0, seconds) for _ in range(orders))
                start = time.monotonic()
                pending: set[str] = set()
                db = state / "flxd.db"
                for at in gaps:
                    while time.monotonic() - start < at:
                        for found in stored(db, pending):
                            latencies.append(time.monotonic() - placed[found])
                            pending.discard(found)
                        await anyio.sleep(0.02)
                    order = sandbox.place_order(store)
                    placed[str(order.id)] = time.monotonic()
                    pending.add(str(order.id))
                deadline = time.monotonic() + patience
                while pending and time.monotonic() < deadline:
                    for found in stored(db, pending):
                        latencies.append(time.monotonic() - placed[found])
                        pending.discard(found)
                    await anyio.sleep(0.02)
                duplicates = duplicated(db)
                lost = len(sandbox.lost_deliveries(store))
            finally:
                daemon.terminate()
                with anyio.fail_after(30):
                    await daemon.wait()
    # An order still missing counts as infinitely late: p95 is over every order placed.
    latencies = sorted(latencies) + [float("inf")] * len(pending)
    p95 = latencies[max(0, math.ceil(0.95 * len(latencies)) - 1)]
    print(
        f"{len(latencies) - len(pending)} of {orders} orders stored; {len(pending)} missing "
        f"after {patience:.0f} s; {lost} webhook deliveries lost by the store"
    )
    print(
        f"latency_p50_s={statistics.median(latencies):.2f} latency_p95_s={p95:.2f} "
        f"orders={len(latencies)} lost_deliveries={lost} missing={len(pending)} "
        f"duplicates={duplicates}"
    )


def duplicated(db: Path) -> int:
    """Orders stored more than once (the store sends some deliveries twice)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        rows = conn.execute(
            "SELECT count(*) - count(DISTINCT connection || '#' || channel_order_id) FROM orders"
        ).fetchone()
    return int(rows[0])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--behaviour", choices=BEHAVIOURS, default="pessimistic")
    parser.add_argument(
        "--poll-interval", help="get_orders interval (default: flxd's; 1h when documented)"
    )
    args = parser.parse_args()
    anyio.run(main, args.orders, args.seconds, args.behaviour, args.poll_interval)
