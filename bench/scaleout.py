"""Scale-out: the aggregate throughput of 1, 2 and 3 flxd nodes on one PostgreSQL database.

The workload is API-bound as in production: every store has a quota (10 requests per second
by default), and each of its orders costs a share of a page read plus one acknowledgement
write (`get_orders` with `acknowledge = "status"`). Every node runs at its **default**
settings (`max_concurrent_runs` and every other knob as flxd ships them): a speed-up must come
from the extra nodes, not from a per-node cap the benchmark chooses. Each node's CPU use (share
of one core over the phase, from /proc) is printed, so a speed-up that is not there can be
told apart: nodes idle on the stores' quotas, or a machine whose cores are all busy (on 2
cores, 3 nodes plus the sandbox and PostgreSQL cannot all run at once).

For each node count: a fresh sandbox process (`--stores`, each seeded with products), a fresh
schema, the nodes started and balanced (each holding its share of leases, read from the lease
table), then `--orders` orders placed on every store; the time until the hub holds every one of
them, acknowledged on the store. Afterwards: orders imported or acknowledged more than once
(`duplicates`: extra hub rows or events, extra acknowledgement writes on the store) and orders
not imported or not acknowledged (`lost`), which must both be 0.

PostgreSQL: `--dsn`, else $FLXD_TEST_POSTGRES_DSN, else postgresql://postgres@127.0.0.1:5432/test.
At the store's quota: each store's requests (pages and acknowledgements) are counted, and
`quota_s` is the least time that store's share takes at 150 requests per 30 s
(`flxd_bigcommerce.limits.quota_seconds`); the phases above run at --quota per --window-ms.

Run: .venv/bin/python bench/scaleout.py [--stores 48] [--orders 40] [--quota 10]
The last line is exactly
``speedup_2=N speedup_3=N duplicates=N lost=N requests_per_store=N quota_s=N cpu_pct=A/B/C``
(cpu_pct: each node's CPU in the 3-node phase, in % of one core).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import asyncpg
from flxd_bigcommerce.limits import quota_seconds

from flxd.store.postgres import PostgresDatabase

DSN = os.environ.get("FLXD_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
ACK = "PUT /v2/orders/{order_id}"
HANG = 600.0  # only turns a hang into an error
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Setup:
    dsn: str
    stores: int
    orders: int
    quota: int
    window_ms: int


@dataclass(frozen=True, slots=True)
class Phase:
    nodes: int
    orders: int
    seconds: float
    duplicates: int
    lost: int
    requests: int  # the most any one store was sent
    cpu_pct: tuple[float, ...]  # each node's CPU over the phase, % of one core

    @property
    def per_second(self) -> float:
        return self.orders / self.seconds


# ---- processes ------------------------------------------------------------------------------


def start_sandbox(setup: Setup) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "flxd_bigcommerce.sandbox", "--port", "0",
            "--stores", str(setup.stores), "--seed-products", "3", "--quota", str(setup.quota),
            "--window-ms", str(setup.window_ms), "--seed", "1", "--no-webhooks",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if not first.startswith("BigCommerce sandbox at "):
        proc.kill()
        raise RuntimeError(f"the sandbox did not start: {first!r}")
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, first.split()[-1]


def node_config(
    path: Path, setup: Setup, *, node: str, schema: str, base_url: str, stores: list[str]
) -> Path:
    text = (
        f'[daemon]\nstate_dir = "{path.parent / ("state-" + node)}"\ndatabase = "{setup.dsn}"\n'
        f'database_schema = "{schema}"\nnode_id = "{node}"\nlease_period = "3s"\n'
        'grace_period = "2s"\n'
        '[admin]\nenabled = false\n[logging]\nformat = "json"\nlevel = "warning"\n\n'
    )
    for n, store in enumerate(stores):
        text += (
            f'[connections.c{n:03d}]\nchannel = "bigcommerce"\nstore_hash = "{store}"\n'
            f'access_token_env = "TOKEN_{n:03d}"\napi_base_url = "{base_url}"\n'
            f'[connections.c{n:03d}.get_orders]\nenabled = true\ninterval = "1s"\n'
            'statuses = ["Awaiting Fulfillment"]\nacknowledge = "status"\n'
            'acknowledge_status = "Awaiting Shipment"\n\n'
        )
    path.write_text(text, encoding="utf-8")
    return path


def start_node(config: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flxd", "--config", str(config), "run"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )


def stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---- the hub --------------------------------------------------------------------------------


async def wait_for(what: str, probe: Any) -> None:
    """Poll the hub until `probe` says yes (the figures come from the hub, not from sleeps)."""
    with anyio.fail_after(HANG):
        while True:
            if await probe():
                return
            await anyio.sleep(0.02)


async def balanced(db: PostgresDatabase, nodes: int, stores: int) -> bool:
    async with db.transaction() as tx:
        rows = await tx.fetch(
            "SELECT owner, count(*) AS n FROM leases WHERE connection NOT LIKE '~%' AND "
            "expires_ms > (extract(epoch FROM clock_timestamp()) * 1000)::bigint GROUP BY owner"
        )
    held = {r["owner"]: r["n"] for r in rows if r["owner"] is not None}
    share = -(-stores // nodes)
    return len(held) == nodes and sum(held.values()) == stores and max(held.values()) <= share


async def acknowledged(db: PostgresDatabase) -> int:
    async with db.transaction() as tx:
        return int(await tx.fetchval("SELECT count(*) FROM orders WHERE ack_state = 'done'"))


# ---- one phase ------------------------------------------------------------------------------


async def phase(setup: Setup, nodes: int, tmp: Path) -> Phase:
    schema = f"bench_scaleout_{uuid.uuid4().hex[:10]}"
    db = PostgresDatabase(setup.dsn, schema=schema, max_size=2)
    await db.open()
    await db.migrate()
    sandbox, base_url = start_sandbox(setup)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base_url}/__sandbox/stores") as answer:
                stores = [(s["hash"], s["default_token"]) for s in (await answer.json())["stores"]]
            env = {f"TOKEN_{n:03d}": token for n, (_, token) in enumerate(stores)}
            for n in range(nodes):
                name = f"node{n + 1}"
                config = node_config(
                    tmp / f"{schema}-{name}.toml",
                    setup,
                    node=name,
                    schema=schema,
                    base_url=base_url,
                    stores=[h for h, _ in stores],
                )
                procs.append(start_node(config, env, tmp / f"{schema}-{name}.log"))
            carts = {h: await cart(session, base_url, h, token) for h, token in stores}
            await wait_for("balanced", lambda: balanced(db, nodes, setup.stores))
            total = setup.stores * setup.orders
            for store, _ in stores:  # from here on the counters hold this phase's work only
                async with session.delete(f"{base_url}/__sandbox/stores/{store}/counters"):
                    pass
            started = time.perf_counter()
            await place_orders(session, base_url, carts, setup.orders)
            cpu = [cpu_seconds(p.pid) for p in procs]
            await wait_for("every order", lambda: _all(db, total))
            seconds = time.perf_counter() - started
            cpu_pct = tuple(
                100 * (cpu_seconds(p.pid) - c) / seconds for p, c in zip(procs, cpu, strict=True)
            )
            duplicates, lost = await account(session, base_url, db, stores, setup.orders)
            requests = await most_requests(session, base_url, stores)
    finally:
        for proc in procs:
            stop(proc)
        stop(sandbox)
        await db.close()
        conn = await asyncpg.connect(setup.dsn)
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()
    return Phase(nodes, total, seconds, duplicates, lost, requests, cpu_pct)


def cpu_seconds(pid: int) -> float:
    """A process's user + system CPU so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


async def most_requests(
    session: aiohttp.ClientSession, base_url: str, stores: list[tuple[str, str]]
) -> int:
    """The most requests any one store served (429s included): the per-store work."""
    most = 0
    for store, _ in stores:
        async with session.get(f"{base_url}/__sandbox/stores/{store}/counters") as answer:
            counters = await answer.json()
        most = max(most, sum(figures["total"] for figures in counters.values()))
    return most


async def _all(db: PostgresDatabase, total: int) -> bool:
    return await acknowledged(db) >= total


async def cart(
    session: aiohttp.ClientSession, base_url: str, store: str, token: str
) -> dict[str, int]:
    """Something to buy on the store: its first product for sale (with its first variant)."""
    async with session.get(
        f"{base_url}/stores/{store}/v3/catalog/products",
        params={"include": "variants"},
        headers={"X-Auth-Token": token, "Accept": "application/json"},
    ) as answer:
        products = (await answer.json())["data"]
    product = next(p for p in products if p["availability"] != "disabled")
    line = {"product_id": product["id"], "quantity": 1}
    options = [v for v in product.get("variants", []) if v.get("option_values")]
    if options:
        line["variant_id"] = options[0]["id"]
    return line


async def place_orders(
    session: aiohttp.ClientSession, base_url: str, carts: dict[str, dict[str, int]], per_store: int
) -> None:
    """Shoppers check out on every store at once."""

    async def shop(store: str) -> None:
        for _ in range(per_store):
            url = f"{base_url}/__sandbox/stores/{store}/orders"
            async with session.post(url, json={"lines": [carts[store]]}) as answer:
                answer.raise_for_status()

    async with anyio.create_task_group() as tg:
        for store in carts:
            tg.start_soon(shop, store)


async def account(
    session: aiohttp.ClientSession,
    base_url: str,
    db: PostgresDatabase,
    stores: list[tuple[str, str]],
    per_store: int,
) -> tuple[int, int]:
    """(duplicates, lost): extra hub rows, events or acknowledgement writes; orders missing from
    the hub or not acknowledged."""
    async with db.transaction() as tx:
        rows = await tx.fetch("SELECT connection, channel_order_id, ack_state FROM orders")
        events = Counter(
            (p["connection"], str(p["order_id"]))
            for p in (
                json.loads(r["payload"])
                for r in await tx.fetch("SELECT payload FROM outbox WHERE topic = 'order.imported'")
            )
        )
    hub = Counter((r["connection"], r["channel_order_id"]) for r in rows)
    done = Counter(r["connection"] for r in rows if r["ack_state"] == "done")
    duplicates = sum(n - 1 for n in hub.values() if n > 1)
    duplicates += sum(n - 1 for n in events.values() if n > 1)
    lost = 0
    for n, (store, _) in enumerate(stores):
        connection = f"c{n:03d}"
        async with session.get(f"{base_url}/__sandbox/stores/{store}/counters") as answer:
            counters = await answer.json()
        acks = counters.get(ACK, {}).get("200", 0)
        duplicates += max(0, acks - per_store)
        imported = sum(1 for (c, _) in hub if c == connection)
        lost += max(0, per_store - imported) + max(0, per_store - done[connection])
    return duplicates, lost


# ---- main -----------------------------------------------------------------------------------


async def main(setup: Setup) -> None:
    results: dict[int, Phase] = {}
    with tempfile.TemporaryDirectory(prefix="flxd-bench-scaleout-") as tmp:
        for nodes in (1, 2, 3):
            result = await phase(setup, nodes, Path(tmp))
            results[nodes] = result
            print(
                f"nodes={nodes} stores={setup.stores} orders={result.orders} "
                f"seconds={result.seconds:.2f} orders_per_s={result.per_second:.1f} "
                f"duplicates={result.duplicates} lost={result.lost} "
                f"cpu_pct={'/'.join(f'{c:.0f}' for c in result.cpu_pct)}",
                flush=True,
            )
    base = results[1].per_second
    speedup = {n: results[n].per_second / base for n in (2, 3)}
    requests = max(r.requests for r in results.values())
    print(
        f"speedup_2={speedup[2]:.2f} speedup_3={speedup[3]:.2f} "
        f"duplicates={sum(r.duplicates for r in results.values())} "
        f"lost={sum(r.lost for r in results.values())} "
        f"requests_per_store={requests} quota_s={quota_seconds(requests):.0f} "
        f"cpu_pct={'/'.join(f'{c:.0f}' for c in results[3].cpu_pct)}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dsn", default=DSN)
    parser.add_argument("--stores", type=int, default=48)
    parser.add_argument("--orders", type=int, default=40, help="orders placed per store")
    parser.add_argument("--quota", type=int, default=10, help="requests per window and store")
    parser.add_argument("--window-ms", type=int, default=1000)
    args = parser.parse_args()
    anyio.run(
        main,
        Setup(
            dsn=args.dsn,
            stores=args.stores,
            orders=args.orders,
            quota=args.quota,
            window_ms=args.window_ms,
        ),
    )
