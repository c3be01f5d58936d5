"""Realistic, reproducible store data: products with 0-5 variants, UPC/MPN/GTIN and custom
fields; orders in every status with line items, shipping addresses and customer PII, spread
over the past months. The same seed and store hash always give the same data."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from itertools import product as cartesian

from flxd_bigcommerce.sandbox.catalog.products import create_product
from flxd_bigcommerce.sandbox.catalog.writes import (
    CustomFieldWrite,
    OptionValueRef,
    ProductWrite,
    VariantWrite,
)
from flxd_bigcommerce.sandbox.dates import whole_seconds
from flxd_bigcommerce.sandbox.orders.checkout import CartLine, OrderDraft, place_order
from flxd_bigcommerce.sandbox.orders.records import Address
from flxd_bigcommerce.sandbox.orders.shipments import create_shipment
from flxd_bigcommerce.sandbox.orders.statuses import PARTIALLY_SHIPPED, SHIPPED, STATUSES
from flxd_bigcommerce.sandbox.store import Store

__all__ = ["seed_catalog", "seed_orders"]

_ADJECTIVES = (
    "Classic",
    "Everyday",
    "Premium",
    "Rugged",
    "Compact",
    "Vintage",
    "Modern",
    "Heritage",
    "Urban",
    "Alpine",
    "Coastal",
    "Essential",
    "Deluxe",
    "Nordic",
    "Studio",
    "Trail",
)
_MATERIALS = (
    "Cotton",
    "Linen",
    "Leather",
    "Canvas",
    "Wool",
    "Bamboo",
    "Oak",
    "Steel",
    "Ceramic",
    "Copper",
    "Denim",
    "Cork",
    "Walnut",
    "Glass",
)
_NOUNS = (
    "Tote Bag",
    "Backpack",
    "Water Bottle",
    "Notebook",
    "Desk Lamp",
    "Throw Blanket",
    "Mug",
    "Apron",
    "Cutting Board",
    "Plant Pot",
    "Wallet",
    "Beanie",
    "Scarf",
    "Candle",
    "Serving Bowl",
    "Tea Towel",
    "Phone Case",
    "Pencil Case",
    "Picture Frame",
    "Travel Pouch",
)
_FIELDS = (
    ("Material", ("100% cotton", "Full-grain leather", "Recycled polyester", "FSC oak")),
    ("Origin", ("Portugal", "Vietnam", "USA", "Mexico", "Italy")),
    ("Care", ("Machine wash cold", "Hand wash only", "Wipe clean")),
    ("Warranty", ("1 year", "2 years", "Lifetime")),
)
_OPTIONS = (("Size", ("S", "M", "L", "XL")), ("Color", ("Black", "Navy", "Sand", "Olive", "Red")))
_FIRST = (
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
)
_LAST = (
    "Silva",
    "Okafor",
    "Nguyen",
    "Schmidt",
    "Rossi",
    "Kowalski",
    "Tanaka",
    "Haddad",
    "Murphy",
    "Garcia",
    "Larsen",
    "Patel",
    "Dubois",
    "Novak",
    "Walsh",
)
_PLACES = (
    ("Austin", "Texas", "78701", "United States", "US"),
    ("Portland", "Oregon", "97205", "United States", "US"),
    ("Toronto", "Ontario", "M5V 2T6", "Canada", "CA"),
    ("Manchester", "Greater Manchester", "M1 1AE", "United Kingdom", "GB"),
    ("Sydney", "New South Wales", "2000", "Australia", "AU"),
    ("Berlin", "Berlin", "10115", "Germany", "DE"),
)
_STREETS = ("Main Street", "Oak Avenue", "Harbour Road", "King Street", "Mill Lane")


def _upc(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(11)]
    check = (10 - (sum(digits[0::2]) * 3 + sum(digits[1::2])) % 10) % 10
    return "".join(map(str, digits)) + str(check)


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.2f}")


def seed_catalog(store: Store, count: int, seed: int) -> None:
    """Add ``count`` products (with variants and custom fields) to the store's catalog."""
    rng = random.Random(f"{seed}:{store.hash}:catalog")
    catalog = store.catalog
    now = catalog.clock.now()
    store.muted = True
    try:
        for _ in range(count):
            number = catalog.ids.take("seed_product")
            name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_MATERIALS)} {rng.choice(_NOUNS)}"
            sku = f"SBX-{number:05d}"
            n_variants = rng.choice((0, 0, 0, 1, 2, 3, 4, 5))
            price = _money(rng, 5, 250)
            variants = _variants(rng, sku, price, n_variants)
            fields = rng.sample(_FIELDS, rng.randint(0, 3))
            write = ProductWrite(
                name=f"{name} {number}",
                type="digital" if rng.random() < 0.08 else "physical",
                sku=sku,
                description=f"<p>{name}, made to last.</p>",
                weight=_money(rng, 0.1, 12),
                price=price,
                cost_price=(price * Decimal("0.45")).quantize(Decimal("0.01")),
                retail_price=(price * Decimal("1.2")).quantize(Decimal("0.01")),
                sale_price=(price * Decimal("0.9")).quantize(Decimal("0.01"))
                if rng.random() < 0.15
                else Decimal(0),
                upc=_upc(rng),
                mpn=f"MPN-{rng.randrange(16**6):06X}",
                gtin="0" + _upc(rng),
                inventory_tracking=(
                    ("variant" if rng.random() < 0.8 else "product")
                    if variants
                    else ("product" if rng.random() < 0.8 else "none")
                ),
                inventory_level=rng.randint(0, 400),
                inventory_warning_level=rng.choice((0, 5, 10)),
                availability=rng.choices(("available", "preorder", "disabled"), (85, 5, 10))[0],
                is_visible=rng.random() < 0.9,
                brand_id=rng.randint(0, 12),
                categories=[rng.randint(18, 40)],
                custom_fields=[
                    CustomFieldWrite(name=field, value=rng.choice(values))
                    for field, values in fields
                ],
                variants=variants or None,
            )
            if variants and write.inventory_tracking == "variant":
                write = write.model_copy(update={"inventory_level": None})
            outcome = create_product(catalog, write)
            created = whole_seconds(now - timedelta(days=rng.uniform(30, 540)))
            modified = whole_seconds(created + (now - created) * rng.random())
            catalog.put_product(
                replace(outcome.product, date_created=created, date_modified=modified), touch=False
            )
    finally:
        store.muted = False


def _variants(rng: random.Random, sku: str, price: Decimal, count: int) -> list[VariantWrite]:
    if count == 0:
        return []
    options = rng.sample(_OPTIONS, rng.randint(1, 2))
    combos = list(cartesian(*(values for _, values in options)))
    out = []
    for combo in rng.sample(combos, min(count, len(combos))):
        out.append(
            VariantWrite(
                sku=f"{sku}-" + "-".join(label.upper()[:3] for label in combo),
                price=price + _money(rng, 0, 15) if rng.random() < 0.3 else None,
                upc=_upc(rng),
                mpn=f"MPN-{rng.randrange(16**6):06X}",
                inventory_level=rng.randint(0, 120),
                option_values=[
                    OptionValueRef(option_display_name=option, label=label)
                    for (option, _), label in zip(options, combo, strict=True)
                ],
            )
        )
    return out


def _address(rng: random.Random, first: str, last: str, email: str) -> Address:
    city, state, zip_code, country, iso2 = rng.choice(_PLACES)
    return Address(
        first_name=first,
        last_name=last,
        street_1=f"{rng.randint(1, 980)} {rng.choice(_STREETS)}",
        street_2=rng.choice(("", "", f"Apt {rng.randint(1, 40)}")),
        city=city,
        state=state,
        zip=zip_code,
        country=country,
        country_iso2=iso2,
        phone=f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        email=email,
    )


def seed_orders(store: Store, count: int, seed: int) -> None:
    """Add ``count`` orders, in every status, for products of the store's catalog."""
    catalog = store.catalog
    buyable = [p for p in catalog.products.values() if p.availability != "disabled"]
    if not buyable and count:
        raise ValueError("seeding orders needs purchasable products: seed products first")
    rng = random.Random(f"{seed}:{store.hash}:orders")
    now = catalog.clock.now()
    statuses = sorted(STATUSES)
    store.muted = True
    try:
        for index in range(count):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            email = f"{first}.{last}{rng.randint(1, 999)}@example.com".lower()
            billing = _address(rng, first, last, email)
            lines = []
            multi = rng.random() < 0.1
            for product in rng.sample(buyable, min(len(buyable), rng.randint(1, 4))):
                variant_id = None
                if product.base_variant_id is None:
                    variant_id = rng.choice(list(catalog.variants_of(product.id))).id
                lines.append(
                    CartLine(
                        product_id=product.id,
                        variant_id=variant_id,
                        quantity=rng.randint(1, 3),
                        second_address=multi and rng.random() < 0.5,
                    )
                )
            status = (
                statuses[index % len(statuses)] if index < len(statuses) else rng.choice(statuses)
            )
            created = whole_seconds(now - timedelta(minutes=rng.uniform(10, 90 * 24 * 60)))
            order = place_order(
                store.orders,
                catalog,
                OrderDraft(
                    lines=lines,
                    billing=billing,
                    extra_shipping=_address(rng, first, last, email) if multi else None,
                    customer_id=rng.randint(1, 500) if rng.random() < 0.6 else 0,
                    status_id=status,
                    created_at=created,
                    tax_rate=Decimal("0.08") if billing.country_iso2 == "US" else Decimal(0),
                    take_stock=False,
                ),
            )
            modified = whole_seconds(created + (now - created) * rng.random())
            _ship_seeded(store, order.id, status, rng)
            final = replace(store.orders.orders[order.id], status_id=status, date_modified=modified)
            if final.date_shipped is not None:
                final = replace(final, date_shipped=modified)
            store.orders.put(final, touch=False)
            for shipment in store.orders.shipments_of(order.id):
                store.orders.put_shipment(replace(shipment, date_created=modified))
    finally:
        store.muted = False


def _ship_seeded(store: Store, order_id: int, status: int, rng: random.Random) -> None:
    """Give shipped, partially shipped and completed orders the shipments that explain them."""
    if status not in (SHIPPED, PARTIALLY_SHIPPED, 10):
        return
    order = store.orders.orders[order_id]
    if status == PARTIALLY_SHIPPED:
        if order.items_total < 2:
            return  # nothing could stay unshipped: leave the whole order unshipped
        first = order.lines[0]
        quantity = first.quantity - 1 if len(order.lines) == 1 else first.quantity
        batches = [(first.order_address_id, [(first.id, quantity)])]
    else:
        batches = [
            (a.id, [(x.id, x.quantity) for x in order.lines if x.order_address_id == a.id])
            for a in order.shipping_addresses
        ]
    for address_id, items in batches:
        if not items:
            continue
        create_shipment(
            store.orders,
            order_id,
            {
                "order_address_id": address_id,
                "items": [{"order_product_id": i, "quantity": q} for i, q in items],
                "tracking_number": f"1Z{rng.randrange(16**10):010X}",
                "shipping_provider": rng.choice(("ups", "usps", "fedex", "")),
            },
        )
