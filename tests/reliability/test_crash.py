"""Crash anywhere: flxd SIGKILLed at seeded moments under a mixed workload loses nothing.

The sandbox runs in its own process; flxd (`run --once`, and the daemon `run` now and then) runs
as a subprocess behind a kill switch that SIGKILLs it at the Nth request it sends, either before
the request reaches the store or after the store has done it but before flxd hears back. N, the
side, the workload and the mode are drawn from one seed (`FLXD_CRASH_SEED`, default 9), so the
kill sites repeat run after run. Between restarts the workload changes hub prices and
quantities, adds listings, places orders on the store and records shipments in the hub.

After the last kill and a final clean `run --once`: no order missing or stored twice, no
shipment missing or created twice on the store, every linked variant with the hub's price and
quantity, every hub listing published, and a hub that passes SQLite's integrity checks.
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from pathlib import Path

import aiohttp
import anyio
import pytest

from tests.reliability.conftest import (
    RECONCILE,
    Report,
    on_behaviours,
)
from tests.reliability.endstate import check_store, integrity, store_settled
from tests.reliability.flxd_process import bc_connection, flxd, log_lines, run_flxd
from tests.reliability.killswitch import kill_switch
from tests.reliability.sandbox_process import StoreAPI, sandbox_process
from tests.reliability.workload import Workload

pytestmark = pytest.mark.asyncio

SEED = int(os.environ.get("FLXD_CRASH_SEED", "9"))
KILLS = int(os.environ.get("FLXD_CRASH_KILLS", "50"))
STORE = "crash1"
CONNECTION = "shop"
OPERATIONS = {
    "import_listings": 'interval = "2s"',
    "publish_listings": 'interval = "2s"',
    "sync_listings": 'interval = "1s"',
    "get_orders": (
        'interval = "1s"\nstatuses = ["Awaiting Fulfillment"]\nacknowledge = "status"\n'
        'acknowledge_status = "Awaiting Shipment"'
    ),
    "sync_orders": 'interval = "1s"',
}
# Generous: it only turns a hang into a failure; no assertion depends on how long anything took.
HANG = 120


def write_config(path: Path, api_base_url: str) -> None:
    path.write_text(
        f'[daemon]\nstate_dir = "{path.parent / "state"}"\ngrace_period = "5s"\n'
        '[admin]\nenabled = false\n[logging]\nformat = "json"\n\n'
        + bc_connection(
            CONNECTION,
            store=STORE,
            api_base_url=api_base_url,
            token_env="CRASH_TOKEN",
            extra='request_timeout = "10s"',
            operations=OPERATIONS,
        ),
        encoding="utf-8",
    )


def endpoint(request: str) -> str:
    """`PUT /stores/crash1/v2/orders/104` -> `PUT /v2/orders/{id}`."""
    method, _, path = request.partition(" ")
    path = re.sub(r"^/stores/[^/]+", "", path.split("?", 1)[0])
    templated = re.sub(r"/\d+", "/{id}", path)
    return f"{method} {templated}"


@on_behaviours()
async def test_crash_anywhere(tmp_path: Path, report: Report, behaviour: str) -> None:
    # Pessimistic runs cost more (pages of 50, late orders): half the kills here, and the
    # slow test below kills 150 times on that store.
    kills = KILLS if behaviour == "documented" else KILLS // 2
    await crash_anywhere(tmp_path, report, seed=SEED, kills=kills, behaviour=behaviour)


@pytest.mark.slow
@on_behaviours("pessimistic")
async def test_crash_anywhere_at_length(tmp_path: Path, report: Report, behaviour: str) -> None:
    """Another seed, 100 kills, on the pessimistic store (where a run costs about twice the
    requests: pages of 50, late orders), so about as long as 150 on the documented one."""
    await crash_anywhere(tmp_path, report, seed=21, kills=100, behaviour=behaviour)


async def crash_anywhere(
    tmp_path: Path, report: Report, *, seed: int, kills: int, behaviour: str
) -> None:
    rng = random.Random(seed)
    config = tmp_path / "flxd.toml"
    log = tmp_path / "flxd.log"
    db = tmp_path / "state" / "flxd.db"
    with sandbox_process(
        "--store-hash", STORE, "--seed-products", "25", "--quota", "0", "--seed", str(seed),
        "--no-webhooks", "--behaviour", behaviour,
    ) as sandbox:  # fmt: skip
        async with aiohttp.ClientSession() as session, kill_switch(sandbox.base_url) as switch:
            api = StoreAPI(session, sandbox.base_url)
            token = (await api.tokens())[STORE]
            env = {"CRASH_TOKEN": token}
            write_config(config, switch.url)
            assert await run_flxd(config, "run", "--once", log=log, env=env) == 0, log.read_text()
            work = Workload(rng, api, store=STORE, token=token, db=db, connection=CONNECTION)
            killed: Counter[str] = Counter()
            sites: Counter[str] = Counter()
            finished = 0
            while sum(killed.values()) < kills:
                assert finished < 3 * kills, "runs keep ending before their kill point"
                await work.step()
                daemon = rng.random() < 0.3
                # A daemon idles between its runs, so its kill points come sooner.
                at, before = rng.randint(1, 10 if daemon else 16), rng.random() < 0.5
                args = ("run",) if daemon else ("run", "--once")
                async with flxd(config, *args, log=log, env=env) as process:
                    switch.arm(process, at=at, before=before)
                    with anyio.fail_after(HANG):
                        await process.wait()
                armed = switch.armed
                switch.disarm()
                assert armed is not None
                if not armed.fired:
                    assert not daemon, "the daemon stopped by itself"
                    finished += 1
                    continue
                mode = "daemon" if daemon else "once"
                killed[f"{mode}/{'before' if before else 'after'}"] += 1
                sites[endpoint(armed.request)] += 1
            # One final run on either behaviour; on the pessimistic store, the reconciliation
            # pass and a sync after it (see RECONCILE).
            code = await run_flxd(config, "run", "--once", log=log, env=env)
            if behaviour == "pessimistic":
                await store_settled(behaviour)
                for extra in (RECONCILE, ()):
                    code = max(
                        code, await run_flxd(config, "run", "--once", *extra, log=log, env=env)
                    )
            state = await check_store(api, STORE, token, db, CONNECTION, behaviour=behaviour)
    problems = state.problems() + [f"integrity: {p}" for p in await integrity(db)]
    lines = log_lines(log)
    report(
        behaviour=behaviour,
        seed=seed,
        kills=sum(killed.values()),
        kills_by_mode=dict(killed),
        kill_sites=dict(sites),
        runs_finished_before_their_kill=finished,
        workload=dict(work.done),
        checked=state.counts(),
        log_lines=len(lines),
    )
    final = [line for line in lines if line.get("event") == "run finished"][-5:]
    assert code == 0, f"the final run --once failed: {final}"
    assert not problems, "\n".join(problems)
