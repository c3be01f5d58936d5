"""500 stores in one daemon: memory, throughput, CPU, and one misbehaving store among them.

One sandbox process serves N stores (default 500), each with its own quota (40 requests per
second) and a few products and orders; one `flxd run` daemon has a connection to each, with
import_listings, sync_listings, get_orders and sync_orders every 10 s.

1. Busy: once every connection has run, and two intervals more, for --busy-s seconds: runs
   finished per minute, the daemon's CPU (share of one core), and how long the stores'
   get_orders runs took.
2. Misbehaving: one store answers every request with a 429 without headers, another's token is
   revoked; --busy-s seconds more: how long the *other* stores' get_orders runs took now.
3. Idle: the daemon restarted with every interval at one hour; once its first round is done,
   its CPU over --idle-s seconds of nothing to do.

Peak RSS is the daemon's high-water mark (VmHWM) over phases 1-2. Targets (issue 9): peak RSS
<= 400 MB, idle CPU < 25% of a core. Linux only (/proc).

Run: .venv/bin/python bench/many_stores.py [--stores 500] [--busy-s 60] [--idle-s 30]
The last line is exactly ``connections=N peak_rss_mb=N runs_per_min=N busy_cpu_pct=N
idle_cpu_pct=N latency_p50_s=N latency_p95_s=N misbehaving_p50_s=N misbehaving_p95_s=N``.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

OPERATIONS = ("import_listings", "sync_listings", "get_orders", "sync_orders")
TICK = os.sysconf("SC_CLK_TCK")
WARM_UP_S = 20.0  # two intervals


class Sandbox:
    def __init__(self, stores: int) -> None:
        options = ["--port", "0", "--stores", str(stores), "--seed-products", "6"]
        options += ["--seed-orders", "2", "--quota", "40", "--window-ms", "1000", "--seed", "5"]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flxd_bigcommerce.sandbox", *options, "--no-webhooks"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().split()[-1]
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as answer:
            raw = answer.read()
        return json.loads(raw) if raw else None

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


class Daemon:
    """`flxd run` with its JSON log lines collected as they come."""

    def __init__(self, config: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flxd", "--config", str(config), "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **env},
        )
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            if raw.startswith("{"):
                line = json.loads(raw)
                line["seen_at"] = time.monotonic()
                self.lines.put(line)

    def runs(self, seconds: float) -> list[dict[str, Any]]:
        """The runs that finish within the next `seconds`."""
        end = time.monotonic() + seconds
        found = []
        while (left := end - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line.get("event") == "run finished":
                found.append(line)
        return found

    def until_every(self, connections: set[str], operation: str) -> None:
        """Until each connection has finished this operation once more."""
        waiting = set(connections)
        while waiting:
            line = self.lines.get(timeout=300)
            if line.get("event") == "run finished" and line["operation"] == operation:
                waiting.discard(line["connection"])

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)


def write_config(root: Path, base_url: str, stores: list[dict[str, Any]], interval: str) -> Path:
    text = (
        f'[daemon]\nstate_dir = "{root / "state"}"\nmax_concurrent_runs = 64\n'
        'grace_period = "3s"\n'
        '[admin]\nenabled = false\n[logging]\nformat = "json"\n'
    )
    for n, store in enumerate(stores):
        text += (
            f'[connections.s{n}]\nchannel = "bigcommerce"\nstore_hash = "{store["hash"]}"\n'
            f'access_token_env = "STORE_TOKEN_{n}"\napi_base_url = "{base_url}"\n'
        )
        for operation in OPERATIONS:
            text += f'[connections.s{n}.{operation}]\nenabled = true\ninterval = "{interval}"\n'
    path = root / f"flxd-{interval}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def latency(runs: list[dict[str, Any]], connections: set[str]) -> tuple[float, float]:
    durations = [
        r["duration_s"]
        for r in runs
        if r["operation"] == "get_orders" and r["connection"] in connections
    ]
    cuts = statistics.quantiles(durations, n=20)
    return cuts[9], cuts[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=int, default=500)
    parser.add_argument("--busy-s", type=float, default=60.0)
    parser.add_argument("--idle-s", type=float, default=30.0)
    args = parser.parse_args()
    sandbox = Sandbox(args.stores)
    try:
        stores = sandbox.call("GET", "/__sandbox/stores")["stores"]
        env = {f"STORE_TOKEN_{n}": s["default_token"] for n, s in enumerate(stores)}
        names = {f"s{n}" for n in range(len(stores))}
        throttled, revoked = "s7", "s13"
        others = names - {throttled, revoked}
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            daemon = Daemon(write_config(root, sandbox.base_url, stores, "10s"), env)
            daemon.until_every(names, "get_orders")
            # The first rounds catch up (full scans, every order new); measure both phases
            # below in the steady state, so they differ only by the misbehaving stores.
            daemon.runs(WARM_UP_S)
            print(f"{len(names)} connections: every one has run; measuring", flush=True)

            cpu = daemon.cpu_seconds()
            busy = daemon.runs(args.busy_s)
            busy_cpu = (daemon.cpu_seconds() - cpu) / args.busy_s
            p50, p95 = latency(busy, others)
            print(
                f"busy: {len(busy) * 60 / args.busy_s:.0f} runs/min, CPU {busy_cpu:.0%} of a "
                f"core; others' get_orders p50 {p50:.3f} s, p95 {p95:.3f} s",
                flush=True,
            )

            sandbox.call(
                "PUT",
                f"/__sandbox/stores/{stores[7]['hash']}/faults",
                {"profile": "429", "rate": 1.0},
            )
            sandbox.call("DELETE", f"/__sandbox/tokens/{stores[13]['default_token']}")
            troubled = daemon.runs(args.busy_s)
            bad50, bad95 = latency(troubled, others)
            print(
                f"one store throttling, one revoked: others' get_orders p50 {bad50:.3f} s, "
                f"p95 {bad95:.3f} s",
                flush=True,
            )
            peak = daemon.peak_rss_mb()
            daemon.stop()

            idle = Daemon(write_config(root, sandbox.base_url, stores, "1h"), env)
            idle.until_every(names - {revoked, throttled}, "sync_orders")
            cpu = idle.cpu_seconds()
            time.sleep(args.idle_s)
            idle_cpu = (idle.cpu_seconds() - cpu) / args.idle_s
            peak = max(peak, idle.peak_rss_mb())
            print(f"idle: CPU {idle_cpu:.1%} of a core over {args.idle_s:.0f} s", flush=True)
            idle.stop()
    finally:
        sandbox.stop()
    print(
        f"connections={len(stores)} peak_rss_mb={peak:.0f} "
        f"runs_per_min={len(busy) * 60 / args.busy_s:.0f} busy_cpu_pct={busy_cpu * 100:.0f} "
        f"idle_cpu_pct={idle_cpu * 100:.1f} latency_p50_s={p50:.3f} latency_p95_s={p95:.3f} "
        f"misbehaving_p50_s={bad50:.3f} misbehaving_p95_s={bad95:.3f}"
    )


if __name__ == "__main__":
    main()
