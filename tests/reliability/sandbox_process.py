"""The sandbox store in its own process (killing flxd never touches it), and a small client for
its control API and for reading a store back through the BigCommerce API itself."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp

__all__ = ["SandboxProcess", "StoreAPI", "sandbox_process"]


class SandboxProcess:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flxd_bigcommerce.sandbox", "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        if not first.startswith("BigCommerce sandbox at "):
            self.proc.kill()
            raise RuntimeError(f"the sandbox did not start: {first!r}")
        self.base_url = first.split()[-1]
        # The banner goes on (a line per store); keep the pipe drained.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextmanager
def sandbox_process(*args: str) -> Iterator[SandboxProcess]:
    process = SandboxProcess(*args)
    try:
        yield process
    finally:
        process.stop()


class StoreAPI:
    """The control API, and one store read back through its BigCommerce API (the check)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.session.request(method, self.base_url + path, json=body) as answer:
            data = await answer.read()
            if answer.status >= 400:
                raise AssertionError(f"{method} {path}: {answer.status} {data[:300]!r}")
            return await answer.json() if data else None

    # ---- control API ------------------------------------------------------------------------

    async def stores(self) -> list[dict[str, Any]]:
        answer = await self._call("GET", "/__sandbox/stores")
        stores: list[dict[str, Any]] = answer["stores"]
        return stores

    async def tokens(self) -> dict[str, str]:
        return {s["hash"]: s["default_token"] for s in await self.stores()}

    async def place_order(self, store: str, lines: list[dict[str, int]]) -> dict[str, Any]:
        order: dict[str, Any] = await self._call(
            "POST", f"/__sandbox/stores/{store}/orders", {"lines": lines}
        )
        return order

    async def set_faults(self, store: str, profile: str | None, rate: float | None = None) -> None:
        await self._call(
            "PUT", f"/__sandbox/stores/{store}/faults", {"profile": profile, "rate": rate}
        )

    async def faults(self, store: str) -> dict[str, int]:
        answer = await self._call("GET", f"/__sandbox/stores/{store}/faults")
        injected: dict[str, int] = answer["injected"]
        return injected

    async def requests(self, store: str) -> int:
        counters = await self._call("GET", f"/__sandbox/stores/{store}/counters")
        return sum(figures["total"] for figures in counters.values())

    async def revoke(self, token: str) -> None:
        await self._call("DELETE", f"/__sandbox/tokens/{token}")

    # ---- the store through its API ----------------------------------------------------------

    async def _api(self, store: str, token: str, path: str, params: dict[str, Any]) -> Any:
        url = f"{self.base_url}/stores/{store}{path}"
        headers = {"X-Auth-Token": token, "Accept": "application/json"}
        async with self.session.get(url, params=params, headers=headers) as answer:
            if answer.status == 204:
                return None
            if answer.status != 200:
                raise AssertionError(f"GET {path}: {answer.status} {(await answer.read())[:300]!r}")
            return await answer.json()

    async def _v2_all(self, store: str, token: str, path: str, **params: Any) -> AsyncIterator[Any]:
        page = 1
        while True:
            answer = await self._api(store, token, path, {**params, "page": page, "limit": 250})
            if not answer:
                return
            for item in answer:
                yield item
            if len(answer) < 250:
                return
            page += 1

    async def products(self, store: str, token: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = await self._api(
                store,
                token,
                "/v3/catalog/products",
                {"include": "variants", "page": page, "limit": 250},
            )
            found += answer["data"]
            if page >= answer["meta"]["pagination"]["total_pages"]:
                return found
            page += 1

    async def orders(self, store: str, token: str) -> list[dict[str, Any]]:
        return [
            order
            async for order in self._v2_all(
                store,
                token,
                "/v2/orders",
                include="consignments.line_items",
                consignment_structure="object",
                sort="id:asc",
            )
        ]

    async def shipments(self, store: str, token: str, order_id: int) -> list[dict[str, Any]]:
        return [s async for s in self._v2_all(store, token, f"/v2/orders/{order_id}/shipments")]
