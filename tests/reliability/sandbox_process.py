"""A small client for the sandbox's control API and for reading a store back through the
BigCommerce API itself; the sandbox runs in its own process (killing flxd never touches it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from flxd_bigcommerce.sandbox.process import SandboxProcess, sandbox_process

__all__ = ["SandboxProcess", "StoreAPI", "Throttled", "sandbox_process"]


class Throttled(AssertionError):
    """A 429 from the store, with how long its quota window has left."""

    def __init__(self, path: str, reset_s: float) -> None:
        super().__init__(f"GET {path}: 429")
        self.reset_s = reset_s


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
            if answer.status == 429:
                reset_ms = int(answer.headers.get("X-Rate-Limit-Time-Reset-Ms", "100"))
                raise Throttled(path, reset_ms / 1000)
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
            # Not "fewer than asked for": a store may clamp the page size (the pessimistic
            # sandbox does); V2 has no pagination meta, so only the empty page (204) ends it.
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
