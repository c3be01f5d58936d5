"""A small cluster for the scale-out tests: the sandbox in its own process, flxd nodes as
`flxd run` processes on one PostgreSQL schema, and the hub and stores read back for the check.

Log lines of every node are kept (parsed JSON) as they arrive, so a test can wait for one and
count them afterwards; a node can be killed, stopped and continued by signal.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio
from flxd_bigcommerce.sandbox.process import SandboxProcess

from tests.reliability.sandbox_process import StoreAPI, Throttled

__all__ = ["NodeProcess", "SandboxProcess", "StoreClient", "buyable", "node_config"]

Line = dict[str, Any]
WAIT = float(os.environ.get("FLXD_TEST_WAIT", "60"))


class NodeProcess:
    """`flxd --config CONFIG run`: one node, its JSON log lines kept in `lines`."""

    def __init__(self, name: str, config: Path, env: Mapping[str, str], log: Path) -> None:
        self.name = name
        self.lines: list[Line] = []
        self._cond = threading.Condition()
        self._exited = False
        self._log = log.open("a", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flxd", "--config", str(config), "run"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **env},
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._log.write(raw)
            try:
                line = json.loads(raw)
            except ValueError:
                line = {"event": "(not json)", "text": raw.rstrip()}
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._exited = True
            self._cond.notify_all()
        self._log.close()

    def count(self, event: str, since: int = 0, **fields: Any) -> int:
        with self._cond:
            return sum(1 for line in self.lines[since:] if _matches(line, event, fields))

    def matching(self, event: str, since: int = 0, **fields: Any) -> list[Line]:
        with self._cond:
            return [line for line in self.lines[since:] if _matches(line, event, fields)]

    @property
    def mark(self) -> int:
        """Where the log is now (to count only what comes after)."""
        with self._cond:
            return len(self.lines)

    async def wait_for(self, event: str, since: int = 0, **fields: Any) -> Line:
        """The first line from `since` on with this event (and fields); fails after WAIT."""

        def wait() -> Line | None:
            with self._cond:
                index = since
                while True:
                    for line in self.lines[index:]:
                        if _matches(line, event, fields):
                            return line
                    index = len(self.lines)
                    if self._exited or not self._cond.wait(timeout=WAIT):
                        return None

        found = await anyio.to_thread.run_sync(wait)
        if found is None:
            raise AssertionError(f"{self.name}: no {event!r} {fields}; last: {self.lines[-5:]}")
        return found

    def send(self, signum: signal.Signals) -> None:
        self.proc.send_signal(signum)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    async def stop(self) -> int:
        """SIGTERM, and the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
        return await anyio.to_thread.run_sync(lambda: self.proc.wait(timeout=WAIT))


def _matches(line: Line, event: str, fields: Mapping[str, Any]) -> bool:
    return line.get("event") == event and all(line.get(k) == v for k, v in fields.items())


def node_config(
    path: Path,
    *,
    node: str,
    dsn: str,
    schema: str,
    api_base_url: str,
    stores: Sequence[str],
    lease_period: str = "2s",
    interval: str = "1s",
    level: str = "info",
    extra_daemon: str = "",
) -> Path:
    """One node's flxd.toml: every store a connection (`c00`, ...) with every operation on;
    tokens come from $TOKEN_00, ..."""
    text = (
        f'[daemon]\nstate_dir = "{path.parent / ("state-" + node)}"\ndatabase = "{dsn}"\n'
        f'database_schema = "{schema}"\nnode_id = "{node}"\nlease_period = "{lease_period}"\n'
        f'grace_period = "2s"\n{extra_daemon}\n'
        f'[admin]\nenabled = false\n[logging]\nformat = "json"\nlevel = "{level}"\n\n'
    )
    for n, store in enumerate(stores):
        name = f"c{n:02d}"
        text += (
            f'[connections.{name}]\nchannel = "bigcommerce"\nstore_hash = "{store}"\n'
            f'access_token_env = "TOKEN_{n:02d}"\napi_base_url = "{api_base_url}"\n'
            'request_timeout = "10s"\n'
        )
        for op in ("import_listings", "publish_listings", "sync_listings", "sync_orders"):
            text += f'[connections.{name}.{op}]\nenabled = true\ninterval = "{interval}"\n'
        text += (
            f'[connections.{name}.get_orders]\nenabled = true\ninterval = "{interval}"\n'
            'statuses = ["Awaiting Fulfillment"]\nacknowledge = "status"\n'
            'acknowledge_status = "Awaiting Shipment"\n\n'
        )
    path.write_text(text, encoding="utf-8")
    return path


class StoreClient(StoreAPI):
    """The sandbox's control API, and its stores read back through their BigCommerce API,
    waiting out the store's quota like any client (the nodes use the same quota)."""

    async def consume_quota(self, store: str, units: int) -> None:
        """Another app on the store spends `units` of its quota."""
        await self._call("POST", f"/__sandbox/stores/{store}/quota/consume", {"units": units})

    async def _api(self, store: str, token: str, path: str, params: dict[str, Any]) -> Any:
        while True:
            try:
                return await super()._api(store, token, path, params)
            except Throttled as throttled:
                await anyio.sleep(throttled.reset_s + 0.01)  # the store says when to come back

    async def v2_all(self, store: str, token: str, path: str, **params: Any) -> list[Any]:
        return [item async for item in self._v2_all(store, token, path, **params)]


def buyable(products: list[dict[str, Any]]) -> list[dict[str, int]]:
    """What a shopper can put in a cart: (product, option variant) or (simple product)."""
    found: list[dict[str, int]] = []
    for product in products:
        if product["availability"] == "disabled":
            continue
        options = [v for v in product.get("variants", []) if v.get("option_values")]
        if options:
            found += [{"product_id": product["id"], "variant_id": v["id"]} for v in options]
        else:
            found.append({"product_id": product["id"]})
    return found
