"""A hostile WooCommerce host: every fault profile of the emulated store at rates that make
every run meet faults, and a host with two PHP workers that refuses what it cannot take.

As tests/reliability/test_hostile_store.py, on WooCommerce. One sandbox process serves a site per
profile (5xx bursts, answers slower than flxd's timeout, truncated bodies, dropped
connections, and all of them at once with a caching layer's HTML page instead of JSON and PHP
notices before the JSON) and one busy site (2 workers, 1 place in the queue, 429 with
Retry-After past that), which flxd's adaptive concurrency must keep out of trouble after its
first refusals. flxd runs `run --once` round after round against all of them while the
workload goes on, then once more with the faults off (`--full`: stock the shoppers took is
found only so). The end-state checks of the crash test must hold; every fault the sites
served, and every refusal of the busy one, must appear as exactly one classified line of
flxd's retry policy (with its kind); every retry must be bounded.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest

from flxd.net.retry import RetryPolicy
from tests.reliability.conftest import (
    RECONCILE,
    Report,
    final_runs,
    on_behaviours,
    woo_listed_by,
)
from tests.reliability.endstate import EndState, integrity
from tests.reliability.flxd_process import log_lines, run_flxd
from tests.reliability.woo_store import (
    WooStoreAPI,
    WooWorkload,
    check_woo_store,
    woo_connection,
    woo_sandbox,
)

pytestmark = pytest.mark.asyncio

SEED = int(os.environ.get("FLXD_HOSTILE_SEED", "3"))
ROUNDS = int(os.environ.get("FLXD_HOSTILE_ROUNDS", "3"))
# site -> the sandbox's fault profile and rate (None: the busy host, no faults)
STORES: dict[str, tuple[str, float] | None] = {
    "errors5xx": ("5xx", 0.35),
    "slow": ("slow", 0.3),
    "truncated": ("truncated", 0.4),
    "dropped": ("drop", 0.4),
    "chaos": ("chaos", 0.4),  # and the HTML pages and PHP notices, which only it serves
    "busy": None,
}
KINDS = {
    "server_error": "server_error",
    "slow": "timeout",
    "truncated": "invalid_json",
    "drop": "dropped",
    "html_page": "not_json",
    "php_notice": "invalid_json",
    "refused": "rate_limited",
}
CLASSIFIED = ("retrying", "rate limited", "giving up", "not retried")
OPERATIONS = {
    "import_listings": "",
    "publish_listings": "",
    "sync_listings": "",
    "get_orders": (
        'statuses = ["processing"]\nacknowledge = "status"\nacknowledge_status = "on-hold"'
    ),
    "sync_orders": 'tracking = "note"',
}
HANG = 600


def write_config(tmp: Path, name: str, base_url: str) -> Path:
    path = tmp / f"{name}.toml"
    path.write_text(
        f'[daemon]\nstate_dir = "{tmp / name}"\n[admin]\nenabled = false\n'
        '[logging]\nformat = "json"\n\n'
        + woo_connection(
            name,
            site=f"{base_url}/stores/{name}",
            extra='request_timeout = "1s"\nmax_concurrency = 6',
            operations=OPERATIONS,
        ),
        encoding="utf-8",
    )
    return path


def classified(lines: list[dict[str, Any]]) -> Counter[str]:
    return Counter(line["kind"] for line in lines if line.get("event") in CLASSIFIED)


async def served(api: WooStoreAPI, name: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for fault, count in (await api.faults(name)).items():
        if fault in KINDS:
            out[KINDS[fault]] += count
    out["rate_limited"] += int((await api.capacity(name))["refused"])
    return +out


async def run_all(
    configs: dict[str, Path], tmp: Path, keys: dict[str, dict[str, str]], *extra: str
) -> Counter[int]:
    codes: Counter[int] = Counter()

    async def one(name: str) -> None:
        code = await run_flxd(
            configs[name], "run", "--once", *extra, log=tmp / f"{name}.log", env=keys[name]
        )
        codes[code] += 1

    with anyio.fail_after(HANG):
        async with anyio.create_task_group() as tg:
            for name in configs:
                tg.start_soon(one, name)
    return codes


@on_behaviours()
async def test_hostile_woocommerce_host(tmp_path: Path, report: Report, behaviour: str) -> None:
    # Pessimistic rounds cost more: half the rounds here, five in the slow test below.
    rounds = ROUNDS if behaviour == "documented" else max(1, ROUNDS // 2)
    await hostile(tmp_path, report, seed=SEED, rounds=rounds, behaviour=behaviour)


@pytest.mark.slow
@on_behaviours("pessimistic")
async def test_hostile_woocommerce_host_at_length(
    tmp_path: Path, report: Report, behaviour: str
) -> None:
    """Another seed, five rounds (about three minutes), on the pessimistic store."""
    await hostile(tmp_path, report, seed=SEED + 100, rounds=5, behaviour=behaviour)


async def hostile(
    tmp_path: Path, report: Report, *, seed: int, rounds: int, behaviour: str
) -> None:
    args = ["--seed", str(seed), "--seed-products", "15", "--no-webhooks"]
    args += ["--behaviour", behaviour]
    for name in STORES:
        args += ["--store", name]
    with woo_sandbox(*args) as sandbox:
        async with aiohttp.ClientSession() as session:
            api = WooStoreAPI(session, sandbox.base_url)
            keys = {name: await api.keys(name) for name in STORES}
            configs = {name: write_config(tmp_path, name, sandbox.base_url) for name in STORES}
            assert await run_all(configs, tmp_path, keys) == {0: len(STORES)}
            work = {
                name: WooWorkload(
                    random.Random(f"{seed}:{name}"),
                    api,  # type: ignore[arg-type]
                    store=name,
                    token="",
                    db=tmp_path / name / "flxd.db",
                    connection=name,
                )
                for name in STORES
            }
            for name, fault in STORES.items():
                await work[name].refresh_buyable()
                work[name].refresh = False
                if fault is None:
                    await api.set_capacity(
                        name,
                        workers=2,
                        backlog=1,
                        service_ms=50,
                        overload_status=429,
                        retry_after_s=1,
                    )
                else:
                    await api.set_faults(name, *fault)
            faultless: list[str] = []
            exits: Counter[int] = Counter()
            for round_ in range(rounds):
                before = {name: sum((await served(api, name)).values()) for name in STORES}
                for name in STORES:
                    await work[name].step(busy=True)
                exits += await run_all(configs, tmp_path, keys)
                for name, fault in STORES.items():
                    if fault and sum((await served(api, name)).values()) == before[name]:
                        faultless.append(f"round {round_}: {name}")
            busy = await api.capacity("busy")
            injected = {name: await served(api, name) for name in STORES}
            for name in STORES:
                await api.set_faults(name, None)
                await api.set_capacity(name, workers=None)
            listed_by = woo_listed_by(behaviour)
            for _ in range(final_runs(behaviour)):
                final = await run_all(configs, tmp_path, keys, "--full")
            if behaviour == "pessimistic":
                for extra in (RECONCILE, ()):
                    settled = await run_all(configs, tmp_path, keys, *extra)
                    final = final if settled == {0: len(STORES)} else settled
            state = EndState()
            for name in STORES:
                db = tmp_path / name / "flxd.db"
                await check_woo_store(
                    api, name, db, name, frozenset({"processing"}), state, listed_by
                )
    problems = state.problems()
    lines: list[dict[str, Any]] = []
    total: Counter[str] = Counter()
    for name in STORES:
        problems += [f"{name} integrity: {p}" for p in await integrity(tmp_path / name / "flxd.db")]
        mine = log_lines(tmp_path / f"{name}.log")
        lines += mine
        total += injected[name]
        if injected[name] != classified(mine):
            problems.append(
                f"{name}: faults served {dict(injected[name])}, "
                f"classified in the log {dict(classified(mine))}"
            )
    policy = RetryPolicy()
    attempts = [line.get("attempts", line.get("attempt", 0)) for line in lines]
    throttles = [line.get("throttles", 0) for line in lines if line.get("event") == "rate limited"]
    runs = Counter(line["outcome"] for line in lines if line.get("event") == "run finished")
    report(
        behaviour=behaviour,
        seed=seed,
        rounds=rounds,
        faults_served=dict(total),
        classified_lines=sum(classified(lines).values()),
        runs=dict(runs),
        exit_codes=dict(exits),
        max_attempts=max(attempts, default=0),
        max_throttles=max(throttles, default=0),
        workload=dict(sum((w.done for w in work.values()), Counter())),
        checked=state.counts(),
        busy_host={k: busy[k] for k in ("admitted", "refused", "peak_in_flight")},
    )
    # A fresh `run --once` process learns the host anew: a refusal or two each, then none.
    if busy["refused"] > 2 * rounds:
        problems.append(f"the busy host refused {busy['refused']} requests in {rounds} rounds")
    if faultless:
        problems.append(f"runs that met no fault: {faultless}")
    if max(attempts, default=0) > policy.attempts:
        problems.append(f"a request was tried {max(attempts)} times")
    if max(throttles, default=0) > policy.max_throttles:
        problems.append(f"a request was throttled {max(throttles)} times")
    if final != {0: len(STORES)}:
        problems.append(f"the final run --once (faults off) failed: exit codes {dict(final)}")
    assert not problems, "\n".join(problems)
