"""The emulated WooCommerce store for the reliability scenarios: in its own process (killing flxd
never touches it), its control API, the store read back through its REST API (OAuth 1.0a over
plain HTTP, signed for the site's address), a workload, and the end-state checks.

The end-state checks are the BigCommerce scenarios' (tests.reliability.endstate.EndState),
read from a WooCommerce store: every order in the imported statuses once in the hub with its
units and one `order.imported` event; every hub shipment pushed and on the store once (a note
to the customer naming its tracking number), none the hub does not know; every linked active
variant with the hub's price and quantity (stock a product keeps: its variants' total); every
active listed hub variant on the store; and every request the store got valid by its schemas.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
from flxd_woocommerce.auth import oauth1_signer

from tests.reliability.endstate import EndState, _rows
from tests.reliability.workload import Workload

__all__ = ["WooProcess", "WooStoreAPI", "WooWorkload", "check_woo_store", "woo_connection"]


@dataclass(frozen=True, slots=True)
class WooProcess:
    base_url: str
    process: subprocess.Popen[str]


@contextmanager
def woo_sandbox(*args: str) -> Iterator[WooProcess]:
    """`python -m flxd_woocommerce.sandbox ARGS` on a free port, stopped at the end."""
    process = subprocess.Popen(
        [sys.executable, "-m", "flxd_woocommerce.sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        found = re.match(r"WooCommerce sandbox at (\S+)", banner)
        assert found, f"the sandbox did not start: {banner!r}"
        yield WooProcess(found.group(1), process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def woo_connection(name: str, *, site: str, extra: str, operations: dict[str, str]) -> str:
    """A WooCommerce connection table with keys from WOO_KEY / WOO_SECRET."""
    text = (
        f'[connections.{name}]\nchannel = "woocommerce"\nurl = "{site}"\n'
        f'consumer_key_env = "WOO_KEY"\nconsumer_secret_env = "WOO_SECRET"\n{extra}\n'
    )
    for operation, keys in operations.items():
        text += f"[connections.{name}.{operation}]\nenabled = true\n{keys}\n"
    return text


class WooStoreAPI:
    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        url = f"{self.base_url}/__sandbox{path}"
        async with self.session.request(method, url, json=body) as answer:
            data = await answer.read()
            if answer.status >= 400:
                raise AssertionError(f"{method} {path}: {answer.status} {data[:300]!r}")
            return await answer.json() if data else None

    async def store(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] = await self._call("GET", f"/stores/{name}")
        return found

    async def keys(self, name: str) -> dict[str, str]:
        key = (await self.store(name))["keys"][0]
        return {"WOO_KEY": key["consumer_key"], "WOO_SECRET": key["consumer_secret"]}

    async def set_site_address(self, name: str, home_url: str) -> None:
        await self._call("PATCH", f"/stores/{name}/settings", {"home_url": home_url})

    async def place_order(self, name: str, lines: list[dict[str, int]]) -> dict[str, Any] | None:
        """Check out as a shopper; None when the store would not sell it (out of stock)."""
        url = f"{self.base_url}/__sandbox/stores/{name}/orders"
        async with self.session.post(url, json={"lines": lines}) as answer:
            data = await answer.read()
            if answer.status == 400 and b"not enough stock" in data:
                return None
            assert answer.status < 400, f"POST orders: {answer.status} {data[:300]!r}"
            order: dict[str, Any] = await answer.json()
            return order

    async def set_faults(self, name: str, profile: str | None, rate: float | None = None) -> None:
        await self._call("PUT", f"/stores/{name}/faults", {"profile": profile, "rate": rate})

    async def faults(self, name: str) -> dict[str, int]:
        injected: dict[str, int] = (await self._call("GET", f"/stores/{name}/faults"))["injected"]
        return injected

    async def set_capacity(self, name: str, **capacity: Any) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call("PUT", f"/stores/{name}/capacity", capacity)
        return answer

    async def capacity(self, name: str) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call("GET", f"/stores/{name}/capacity")
        return answer

    async def request_problems(self, name: str) -> list[str]:
        problems: list[str] = (await self._call("GET", f"/stores/{name}/requests"))["problems"]
        return problems

    # ---- the store through its REST API --------------------------------------------------

    async def _list(self, name: str, route: str, **params: str) -> list[dict[str, Any]]:
        described = await self.store(name)
        home = described["site_url"]  # what WooCommerce signs with, maybe a proxy's address
        here = f"{self.base_url}/stores/{name}"  # where this process reaches it
        keys = await self.keys(name)
        sign = oauth1_signer(keys["WOO_KEY"], keys["WOO_SECRET"], lambda: datetime.now(UTC))
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            query = {**params, "per_page": "100", "page": str(page)}
            signed = sign("GET", f"{home}/wp-json/wc/v3/{route}", query).params
            url = f"{here}/wp-json/wc/v3/{route}"
            async with self.session.get(url, params={**query, **signed}) as answer:
                assert answer.status == 200, f"GET {route}: {answer.status} {await answer.text()}"
                found += await answer.json()
                pages = int(answer.headers.get("X-WP-TotalPages", "1"))
            if page >= pages:
                return found
            page += 1

    async def products(self, name: str) -> list[dict[str, Any]]:
        products = await self._list(name, "products")
        for product in products:
            if product["type"] == "variable":
                product["_variations"] = await self._list(
                    name, f"products/{product['id']}/variations"
                )
        return products

    async def orders(self, name: str) -> list[dict[str, Any]]:
        return await self._list(name, "orders", status="any")

    async def notes(self, name: str, order_id: int) -> list[dict[str, Any]]:
        return await self._list(name, f"orders/{order_id}/notes", type="customer")


class WooWorkload(Workload):
    """The reliability workload, its shoppers checking out on a WooCommerce store."""

    async def refresh_buyable(self) -> None:
        self._buyable = []
        for product in await self.api.products(self.store):  # type: ignore[call-arg]
            if product["status"] != "publish":
                continue
            if product["type"] == "variable":
                self._buyable += [(product["id"], v["id"]) for v in product["_variations"]]
            else:
                self._buyable.append((product["id"], None))

    async def place_orders(self, count: int) -> None:
        if count and self.refresh and (not self._buyable or self.rng.random() < 0.2):
            await self.refresh_buyable()
        for _ in range(count):
            lines = []
            chosen = self.rng.sample(self._buyable, self.rng.randint(1, min(3, len(self._buyable))))
            for product_id, variation_id in chosen:
                line = {"product_id": product_id, "quantity": self.rng.randint(1, 3)}
                if variation_id is not None:
                    line["variation_id"] = variation_id
                lines.append(line)
            placed = await self.api.place_order(self.store, lines)
            self.done["orders_placed" if placed is not None else "orders_out_of_stock"] += 1


async def check_woo_store(
    api: WooStoreAPI,
    store: str,
    db: Path,
    connection: str,
    statuses: frozenset[str],
    state: EndState | None = None,
    listed_by: datetime | None = None,
) -> EndState:
    """`listed_by`: on a store that lists a new order only some time after it was placed (the
    pessimistic one), the moment by which an order must have been placed to be listed when
    flxd's final run began; orders placed later are counted, not checked (flxd could not see
    them; the checker, reading later, can)."""
    state = state or EndState()
    await _orders(api, store, db, connection, statuses, state, listed_by)
    await _variants(api, store, db, connection, state)
    state.requests_invalid += await api.request_problems(store)
    return state


async def _orders(
    api: WooStoreAPI,
    store: str,
    db: Path,
    connection: str,
    statuses: frozenset[str],
    state: EndState,
    listed_by: datetime | None,
) -> None:
    hub = _rows(
        db,
        "SELECT o.id, o.channel_order_id, "
        "(SELECT coalesce(sum(quantity), 0) FROM order_lines l WHERE l.order_id = o.id) AS units "
        "FROM orders o WHERE connection = ?",
        connection,
    )
    seen = Counter(r["channel_order_id"] for r in hub)
    state.orders_duplicated += [f"{connection}#{k}" for k, n in seen.items() if n > 1]
    units = {r["channel_order_id"]: r["units"] for r in hub}
    hub_ids = {r["channel_order_id"]: r["id"] for r in hub}
    events = Counter(
        json_order(r["payload"])
        for r in _rows(db, "SELECT payload FROM outbox WHERE topic = 'order.imported'")
    )
    for order in await api.orders(store):
        key = str(order["id"])
        placed = datetime.fromisoformat(order["date_created_gmt"]).replace(tzinfo=UTC)
        if listed_by is not None and placed > listed_by and key not in units:
            state.orders_too_recent += 1
            continue
        if key not in units:
            # Imported are those that reached a configured status (and the ones moved on since).
            if order["status"] in statuses:
                state.orders_missing.append(f"{connection}#{key}")
            continue
        state.orders_on_store += 1
        expected = sum(int(item["quantity"]) for item in order["line_items"])
        if units[key] != expected or events[(connection, key)] != 1:
            state.order_lines_wrong.append(
                f"{connection}#{key}: {units[key]} units in the hub, {expected} on the store, "
                f"{events[(connection, key)]} order.imported events"
            )
        await _shipments(api, store, db, connection, order, hub_ids[key], state)


def json_order(payload: str) -> tuple[str, str]:
    data = json.loads(payload)
    return data["connection"], data["order_id"]


async def _shipments(
    api: WooStoreAPI,
    store: str,
    db: Path,
    connection: str,
    order: dict[str, Any],
    hub_id: int,
    state: EndState,
) -> None:
    hub = _rows(
        db,
        "SELECT s.id, s.tracking_number, s.state, s.channel_shipment_id, s.error "
        "FROM shipments s WHERE s.order_id = ?",
        hub_id,
    )
    state.shipments_in_hub += len(hub)
    for s in hub:
        if s["state"] != "pushed":
            state.shipments_not_pushed.append(
                f"{connection}#{order['id']} shipment {s['id']}: {s['state']} {s['error'] or ''}"
            )
    notes = await api.notes(store, int(order["id"])) if hub else []
    shipped = [n for n in notes if n["note"].startswith("Shipped")]
    state.shipments_on_store += len(shipped)
    known = {s["tracking_number"]: s for s in hub}
    by_tracking = Counter(next((t for t in known if t and t in n["note"]), None) for n in shipped)
    for tracking, n in by_tracking.items():
        if tracking is None:
            state.shipments_unknown.append(
                f"{connection}#{order['id']}: a note for no hub shipment"
            )
        elif n > 1:
            state.shipments_duplicated.append(f"{connection}#{order['id']} {tracking} x{n}")
    for note in shipped:
        mine = next((s for t, s in known.items() if t and t in note["note"]), None)
        if mine is not None and mine["channel_shipment_id"] != f"note:{note['id']}":
            state.shipments_duplicated.append(
                f"{connection}#{order['id']} {mine['tracking_number']}: store note {note['id']}, "
                f"hub says {mine['channel_shipment_id']}"
            )


async def _variants(
    api: WooStoreAPI, store: str, db: Path, connection: str, state: EndState
) -> None:
    products = {p["id"]: p for p in await api.products(store)}
    items: dict[int, dict[str, Any]] = {}
    for product in products.values():
        items[product["id"]] = product
        for variation in product.get("_variations", []):
            items[variation["id"]] = variation
    skus = {(i.get("sku") or "").lower() for i in items.values()}
    links = _rows(
        db,
        "SELECT v.sku, v.price, v.quantity, k.product_ref, k.variant_ref, k.stock_ref "
        "FROM links k JOIN variants v ON v.id = k.variant_id "
        "JOIN listings l ON l.id = k.listing_id "
        "WHERE k.connection = ? AND k.state IN ('listed', 'hidden') "
        "AND l.status = 'active' AND l.presence <> 'delisted'",
        connection,
    )
    totals: dict[str, int] = {}
    for link in links:
        state.variants_checked += 1
        item = items.get(int(link["variant_ref"] or link["product_ref"]))
        if item is None:
            state.variants_differing.append(f"{link['sku']}: gone from the store")
            continue
        problems = []
        if link["price"] is not None and Decimal(item["regular_price"] or "0") != Decimal(
            link["price"]
        ):
            problems.append(f"price hub {link['price']} store {item['regular_price']}")
        stock = ""
        if link["quantity"] is not None:
            if link["stock_ref"]:
                totals[link["stock_ref"]] = totals.get(link["stock_ref"], 0) + link["quantity"]
            elif item["stock_quantity"] != link["quantity"]:
                stock = f"quantity hub {link['quantity']} store {item['stock_quantity']}"
        if problems:
            found = ", ".join([*problems, stock] if stock else problems)
            state.variants_differing.append(f"{link['sku']}: {found}")
        elif stock:
            state.stock_differing.append(f"{link['sku']}: {stock}")
    for product_ref, total in totals.items():
        if products[int(product_ref)]["stock_quantity"] != total:
            state.stock_differing.append(f"product {product_ref}: stock hub total {total}")
    listings = _rows(
        db,
        "SELECT v.sku FROM variants v JOIN listings l ON l.id = v.listing_id "
        "WHERE l.status = 'active' AND l.presence = 'listed'",
    )
    state.listings_not_on_store += [r["sku"] for r in listings if r["sku"].lower() not in skus]
