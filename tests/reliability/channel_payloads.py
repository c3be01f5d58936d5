"""Hostile payloads for the property tests: real sandbox products and orders as templates,
mutated at random places into missing fields, wrong types, huge or odd strings, out-of-range
numbers and dates in odd formats."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from flxd_bigcommerce.sandbox import CartLine, Sandbox, SandboxConfig
from flxd_bigcommerce.sandbox.catalog.serialize import product_bytes
from flxd_bigcommerce.sandbox.orders.serialize import (
    consignments_json,
    order_json,
    order_product_json,
    shipping_address_json,
)
from hypothesis import strategies as st

__all__ = ["HOSTILE", "mutated", "order_parts", "order_templates", "product_templates"]

V2_BASE = "https://store.example/stores/abc/v2"

ODD_DATES = [
    "2024-02-30T00:00:00+00:00",
    "2024-01-01",
    "2024-01-01T00:00:00",  # no offset
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
    "Mon, 01 Jan 0001 00:00:00 +0100",
    "Tue, 32 Nov 2012 00:00:00 +0000",
    "Tue, 20 Nov 2012 00:00:00",
    "Tue, 20 Nov 2012 25:61:00 +0000",
    "1700000000",
    "yesterday",
    "2024-06-01T12:00:00Z",
    "Sat, 01 Jun 2024 12:00:00 GMT",
    "\uff12\uff10\uff12\uff14-01-01T00:00:00+00:00",  # full-width digits
    "\x00",
]
ODD_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "²",
    "\uff11\uff12",  # full-width digits
    "٣",
    "-0",
    "+7",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999999999",
    "-1e-999999999",
    "1E+15",
    "12.5",
    "-5",
    "0x10",
    "abc",
    "x" * 100_000,
    "🛒" * 2_000,
    "e\u0301",
    "\u202eevil",
]
ODD_NUMBERS = [
    -1,
    0,
    2**31,
    2**53 + 1,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    10**30,
    1e308,
    -0.0,
    0.1,
    1e-300,
    12.999999999999998,
]
HOSTILE: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(ODD_NUMBERS),
    st.floats(),
    st.text(st.characters(exclude_categories=()), max_size=30),
    st.sampled_from(ODD_TEXT),
    st.sampled_from(ODD_DATES),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
_DELETE = object()


@cache
def _sandbox() -> Sandbox:
    sandbox = Sandbox(SandboxConfig(store_hashes=("abc",), seed_products=12, quota=None, seed=4))
    store = sandbox.store("abc")
    bought = 0
    for product in list(store.products.values()):
        if product.availability == "disabled":
            continue
        options = [v for v in store.variants_of(product.id) if v.option_value_ids]
        line = CartLine(product_id=product.id, variant_id=options[0].id if options else None)
        sandbox.place_order("abc", [line, *([line] if bought % 2 else [])][:1])
        bought += 1
        if bought == 4:
            break
    return sandbox


@cache
def _products() -> tuple[str, ...]:
    store = _sandbox().store("abc")
    return tuple(
        product_bytes(store.catalog, pid, {"variants", "custom_fields"}).decode()
        for pid in store.products
    )


@cache
def _orders() -> tuple[str, ...]:
    store = _sandbox().store("abc")
    found = []
    for order in store.orders.orders.values():
        data = order_json(order, V2_BASE)
        data["consignments"] = consignments_json(order, V2_BASE, line_items=True)
        found.append(json.dumps(data))
    return tuple(found)


@cache
def _order_parts() -> dict[int, str]:
    store = _sandbox().store("abc")
    return {
        order.id: json.dumps(
            {
                "products": [order_product_json(order, line) for line in order.lines],
                "shipping_addresses": [
                    shipping_address_json(order, a, V2_BASE) for a in order.shipping_addresses
                ],
            }
        )
        for order in store.orders.orders.values()
    }


def order_parts(order_id: int) -> dict[str, list[dict[str, Any]]]:
    """An order's products and shipping addresses, as `/v2/orders/{id}/...` answer them."""
    parts: dict[str, list[dict[str, Any]]] = json.loads(_order_parts()[order_id])
    return parts


def product_templates() -> list[dict[str, Any]]:
    return [json.loads(p) for p in _products()]


def order_templates() -> list[dict[str, Any]]:
    return [json.loads(o) for o in _orders()]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value (dict keys and list indexes), outermost first."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from _paths(inner, (*prefix, index))


def _apply(record: dict[str, Any], path: tuple[Any, ...], replacement: Any) -> None:
    parent: Any = record
    for step in path[:-1]:
        parent = parent[step]
    if replacement is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement


@st.composite
def mutated(
    draw: st.DrawFn, templates: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(a template, a copy of it with one to three places deleted or replaced by hostile
    values)."""
    source = draw(st.sampled_from(templates))
    record = copy.deepcopy(source)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = list(_paths(record))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        _apply(record, path, draw(st.one_of(st.just(_DELETE), HOSTILE)))
    return source, record
