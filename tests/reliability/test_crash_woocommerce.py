"""Crash anywhere, on WooCommerce: flxd SIGKILLed at seeded moments under a mixed workload loses
nothing and does nothing twice.

As tests/reliability/test_crash.py, against the emulated WooCommerce store: the sandbox in its
own process, flxd behind the kill switch (the store's site address is the switch's, as for a
site behind a proxy, so OAuth 1.0a signatures hold), killed at the Nth request before it
reaches the store or after the store did it. Between restarts the workload changes hub prices
and quantities, adds listings, checks out on the store and records shipments in the hub.

The last run is `run --once --full`: WooCommerce moves no date when an order takes stock, so
an incremental import never sees that drift; the full import does (until core's
reconciliation pass does it every time). Then: no order missing or stored twice, no shipment
missing or sent twice (a note to the customer each), every linked variant with the hub's
price and quantity, every hub listing published, every request valid, and a sound hub.
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
    final_runs,
    on_behaviours,
    woo_listed_by,
)
from tests.reliability.endstate import integrity
from tests.reliability.flxd_process import flxd, log_lines, run_flxd
from tests.reliability.killswitch import kill_switch
from tests.reliability.woo_store import (
    WooStoreAPI,
    WooWorkload,
    check_woo_store,
    woo_connection,
    woo_sandbox,
)

pytestmark = pytest.mark.asyncio

SEED = int(os.environ.get("FLXD_CRASH_SEED", "9"))
KILLS = int(os.environ.get("FLXD_CRASH_KILLS", "40"))
STORE = "crash1"
CONNECTION = "woo"
OPERATIONS = {
    "import_listings": 'interval = "2s"',
    "publish_listings": 'interval = "2s"',
    "sync_listings": 'interval = "1s"',
    "get_orders": (
        'interval = "1s"\nstatuses = ["processing"]\nacknowledge = "status"\n'
        'acknowledge_status = "on-hold"'
    ),
    "sync_orders": 'interval = "1s"\ntracking = "note"',
}
HANG = 120


def endpoint(request: str) -> str:
    """`POST /stores/crash1/wp-json/wc/v3/orders/12/notes?...` -> `POST /orders/{id}/notes`."""
    method, _, path = request.partition(" ")
    path = re.sub(r"^/stores/[^/]+/wp-json/wc/v3", "", path.split("?", 1)[0])
    templated = re.sub(r"/\d+", "/{id}", path)
    return f"{method} {templated}"


@on_behaviours()
async def test_crash_anywhere_on_woocommerce(
    tmp_path: Path, report: Report, behaviour: str
) -> None:
    # Pessimistic runs cost more (short pages, late orders): half the kills here, and the slow
    # test below kills 80 times on that store.
    kills = KILLS if behaviour == "documented" else KILLS // 2
    await crash_anywhere(tmp_path, report, seed=SEED, kills=kills, behaviour=behaviour)


@pytest.mark.slow
@on_behaviours("pessimistic")
async def test_crash_anywhere_on_woocommerce_at_length(
    tmp_path: Path, report: Report, behaviour: str
) -> None:
    """Another seed, 80 kills (about two minutes), on the pessimistic store."""
    await crash_anywhere(tmp_path, report, seed=21, kills=80, behaviour=behaviour)


async def crash_anywhere(
    tmp_path: Path, report: Report, *, seed: int, kills: int, behaviour: str
) -> None:
    rng = random.Random(seed)
    config = tmp_path / "flxd.toml"
    log = tmp_path / "flxd.log"
    db = tmp_path / "state" / "flxd.db"
    args = ("--store", STORE, "--seed-products", "25", "--seed", str(seed), "--no-webhooks")
    args += ("--behaviour", behaviour)
    with woo_sandbox(*args) as sandbox:
        async with aiohttp.ClientSession() as session, kill_switch(sandbox.base_url) as switch:
            api = WooStoreAPI(session, sandbox.base_url)
            site = f"{switch.url}/stores/{STORE}"
            await api.set_site_address(STORE, site)
            env = await api.keys(STORE)
            config.write_text(
                f'[daemon]\nstate_dir = "{tmp_path / "state"}"\ngrace_period = "5s"\n'
                '[admin]\nenabled = false\n[logging]\nformat = "json"\n\n'
                + woo_connection(
                    CONNECTION, site=site, extra='request_timeout = "10s"', operations=OPERATIONS
                ),
                encoding="utf-8",
            )
            assert await run_flxd(config, "run", "--once", log=log, env=env) == 0, log.read_text()
            work = WooWorkload(rng, api, store=STORE, token="", db=db, connection=CONNECTION)  # type: ignore[arg-type]
            killed: Counter[str] = Counter()
            sites: Counter[str] = Counter()
            finished = 0
            while sum(killed.values()) < kills:
                assert finished < 3 * kills, "runs keep ending before their kill point"
                await work.step()
                daemon = rng.random() < 0.3
                at, before = rng.randint(1, 10 if daemon else 16), rng.random() < 0.5
                run_args = ("run",) if daemon else ("run", "--once")
                async with flxd(config, *run_args, log=log, env=env) as process:
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
            listed_by = woo_listed_by(behaviour)
            codes = [
                await run_flxd(config, "run", "--once", "--full", log=log, env=env)
                for _ in range(final_runs(behaviour))
            ]
            if behaviour == "pessimistic":
                for extra in (RECONCILE, ()):
                    codes.append(await run_flxd(config, "run", "--once", *extra, log=log, env=env))
            code = max(codes)
            state = await check_woo_store(
                api, STORE, db, CONNECTION, frozenset({"processing"}), listed_by=listed_by
            )
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
