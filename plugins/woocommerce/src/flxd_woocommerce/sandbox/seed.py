"""Realistic, reproducible store data: simple and variable products (sizes and colours, SKUs,
some GTINs, managed stock, a few drafts), then orders in the usual statuses with customers'
addresses, spread over the past weeks. The same seed and store name always give the same data;
seeding fires no webhooks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import product as cartesian

from flxd_woocommerce.sandbox.catalog.records import Product, Variation
from flxd_woocommerce.sandbox.orders.book import CartLine, OrderDraft
from flxd_woocommerce.sandbox.store import Store
from flxd_woocommerce.sandbox.wpdates import whole_seconds

__all__ = ["first_purchasable", "seed_catalog", "seed_orders"]

_ADJECTIVES = ("Classic", "Everyday", "Premium", "Rugged", "Compact", "Vintage", "Nordic", "Urban")
_MATERIALS = ("Cotton", "Linen", "Leather", "Canvas", "Wool", "Ceramic", "Oak", "Copper")
_THINGS = ("Tote", "Mug", "Scarf", "Apron", "Wallet", "Lamp", "Notebook", "Cap", "Blanket")
_SIZES = ("S", "M", "L", "XL")
_COLOURS = ("Black", "Navy", "Olive", "Sand", "Rust")
_FIRST = ("Ana", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Giulia", "Hiro")
_LAST = ("Silva", "Okafor", "Müller", "Tanaka", "Dubois", "Kowalski", "Haddad", "Nguyen")
_CITIES = (("Austin", "TX", "78701"), ("Denver", "CO", "80202"), ("Portland", "OR", "97205"))
_STATUSES = (
    "processing",
    "processing",
    "completed",
    "completed",
    "on-hold",
    "pending",
    "cancelled",
)


def _rng(store: Store, seed: int, what: str) -> random.Random:
    return random.Random(f"{seed}:{store.name}:{what}:{len(store.catalog.products)}")


def seed_catalog(store: Store, count: int, seed: int, now: datetime) -> None:
    rng = _rng(store, seed, "catalog")
    catalog = store.catalog
    store.muted = True
    try:
        for _ in range(count):
            number = len(catalog.products) + 1
            name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_MATERIALS)} {rng.choice(_THINGS)}"
            created = whole_seconds(
                now - timedelta(days=rng.randint(5, 90), seconds=rng.randint(0, 86_399))
            )
            sku = f"{store.name.upper()}-{number:04d}"
            variable = rng.random() < 0.35
            params: dict[str, object] = {
                "name": name,
                "type": "variable" if variable else "simple",
                "status": "draft" if rng.random() < 0.08 else "publish",
                "sku": sku,
                "description": f"<p>A {name.lower()} made to last.</p>",
            }
            if rng.random() < 0.5:
                params["global_unique_id"] = f"0{rng.randint(10**11, 10**12 - 1)}"
            if variable:
                sizes = rng.sample(_SIZES, rng.randint(2, 3))
                colours = rng.sample(_COLOURS, rng.randint(1, 2))
                params["attributes"] = [
                    {"name": "Size", "variation": True, "visible": True, "options": sizes},
                    {"name": "Color", "variation": True, "visible": True, "options": colours},
                ]
            else:
                params.update(_stock_and_price(rng))
            parent = catalog.create_product(params, created)
            parent.modified = created
            if variable:
                _variations(store, parent, rng, created)
    finally:
        store.muted = False


def _stock_and_price(rng: random.Random) -> dict[str, object]:
    price = Decimal(rng.randint(800, 9900)) / 100
    found: dict[str, object] = {"regular_price": f"{price:.2f}"}
    if rng.random() < 0.2:
        found["sale_price"] = f"{price * Decimal('0.8'):.2f}"
    if rng.random() < 0.85:
        found.update({"manage_stock": True, "stock_quantity": rng.randint(0, 60)})
    return found


def _variations(store: Store, parent: Product, rng: random.Random, created: datetime) -> None:
    sizes, colours = (a.options for a in parent.attributes)
    for index, (size, colour) in enumerate(cartesian(sizes, colours), start=1):
        params = {
            "sku": f"{parent.sku}-{size}-{colour[:3].upper()}",
            "attributes": [{"name": "Size", "option": size}, {"name": "Color", "option": colour}],
            **_stock_and_price(rng),
        }
        variation: Variation = store.catalog.create_variation(parent, params, created)
        variation.menu_order = index
        variation.modified = created
    parent.modified = created


def _purchasable(store: Store) -> list[CartLine]:
    lines = []
    for product in store.catalog.products.values():
        if product.status != "publish":
            continue
        if product.type == "variable":
            lines += [
                CartLine(product_id=product.id, variation_id=v.id)
                for v in store.catalog.variations_of(product.id)
                if v.price
            ]
        elif product.price:
            lines.append(CartLine(product_id=product.id))
    return lines


def seed_orders(store: Store, count: int, seed: int, now: datetime) -> None:
    rng = _rng(store, seed, "orders")
    choices = _purchasable(store)
    if count and not choices:
        raise ValueError("seeding orders needs purchasable products: seed products first")
    store.muted = True
    try:
        for _ in range(count):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            city, state, postcode = rng.choice(_CITIES)
            address = {
                "first_name": first,
                "last_name": last,
                "address_1": f"{rng.randint(1, 999)} Main Street",
                "city": city,
                "state": state,
                "postcode": postcode,
                "country": "US",
            }
            billing = {
                **address,
                "email": f"{first.lower()}.{last.lower()}@example.com",
                "phone": "555-0100",
            }
            picked = rng.sample(choices, min(len(choices), rng.randint(1, 3)))
            lines = [
                CartLine(
                    product_id=c.product_id, variation_id=c.variation_id, quantity=rng.randint(1, 2)
                )
                for c in picked
            ]
            created = whole_seconds(
                now - timedelta(days=rng.randint(0, 30), seconds=rng.randint(60, 86_399))
            )
            draft = OrderDraft(
                lines=lines,
                status=rng.choice(_STATUSES),
                billing=billing,
                shipping=address,
                customer_id=rng.choice((0, rng.randint(2, 40))),
                created_at=created,
                check_stock=False,
            )
            store.orders.place(draft, created)
    finally:
        store.muted = False


def first_purchasable(store: Store) -> list[CartLine]:
    """One unit of the first product or variation a shopper could buy right now."""
    for line in _purchasable(store):
        item = (
            store.catalog.variations[line.variation_id]
            if line.variation_id
            else store.catalog.products[line.product_id]
        )
        if item.stock_status != "outofstock":
            return [line]
    raise LookupError("the store has nothing a shopper could buy")
