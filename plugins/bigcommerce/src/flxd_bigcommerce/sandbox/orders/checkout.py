"""What a shopper does: check out a cart into an order. Lines are priced from the catalog, stock
is taken where the product tracks it, and ``store/order/created`` fires -- the way orders appear
in a real store for ``get_orders`` to find."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flxd_bigcommerce.sandbox.catalog.catalog import Catalog
from flxd_bigcommerce.sandbox.catalog.records import Product, Variant
from flxd_bigcommerce.sandbox.catalog.variants import mirror_base_variant, sku_event_data
from flxd_bigcommerce.sandbox.dates import whole_seconds
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.orders.book import OrderBook
from flxd_bigcommerce.sandbox.orders.records import Address, Order, OrderLine, OrderShippingAddress
from flxd_bigcommerce.sandbox.orders.statuses import AWAITING_FULFILLMENT, STATUSES

__all__ = ["CartLine", "OrderDraft", "place_order"]

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True, kw_only=True)
class CartLine:
    """A product (and, for a product with options, which variant) and how many."""

    product_id: int
    variant_id: int | None = None
    quantity: int = 1
    # Ship this line to the draft's extra address (a multi-address order), if it has one.
    second_address: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderDraft:
    lines: Sequence[CartLine]
    billing: Address
    shipping: Address | None = None  # None: ship to the billing address
    extra_shipping: Address | None = None
    customer_id: int = 0  # 0 is a guest checkout
    status_id: int = AWAITING_FULFILLMENT
    created_at: datetime | None = None
    tax_rate: Decimal = Decimal(0)
    shipping_cost: Decimal = Decimal("10.00")
    payment_method: str = "Credit Card"
    customer_message: str = ""
    ip_address: str = "203.0.113.10"
    take_stock: bool = True


def _pick(catalog: Catalog, line: CartLine) -> tuple[Product, Variant]:
    if line.quantity < 1:
        raise ApiError.invalid({"quantity": "quantity must be at least 1"})
    product = catalog.product(line.product_id)
    if product.availability == "disabled":
        raise ApiError.invalid({"product_id": f"product {product.id} cannot be purchased"})
    if line.variant_id is not None:
        return product, catalog.variant(line.variant_id, product.id)
    if product.base_variant_id is None:
        raise ApiError.invalid({"variant_id": f"product {product.id} has options: pick a variant"})
    return product, catalog.variants[product.base_variant_id]


def _take_stock(catalog: Catalog, product: Product, variant: Variant, quantity: int) -> None:
    """Take stock where it is tracked, and announce it as BigCommerce does for orders: a
    relative change on the SKU (variant-tracked products with variants) or the product."""
    product = catalog.products[product.id]
    product = replace(product, total_sold=product.total_sold + quantity)
    # A simple product's stock is its own (its base variant mirrors it) however it tracks.
    by_variant = product.inventory_tracking == "variant" and product.base_variant_id is None
    if by_variant:
        variant = catalog.variants[variant.id]
        level = max(0, variant.inventory_level - quantity)
        variant = catalog.put_variant(replace(variant, inventory_level=level))
    elif product.inventory_tracking != "none":
        product = replace(product, inventory_level=max(0, product.inventory_level - quantity))
    # Order-driven stock is not a product-level write: the behaviour decides the stamp.
    catalog.put_product(product, touch=catalog.stamps(product_field=False))
    mirror_base_variant(catalog, product)
    if product.inventory_tracking == "none":
        return
    inventory: dict[str, object] = {
        "product_id": product.id,
        "method": "relative",
        "value": -quantity,
    }
    if by_variant:
        inventory["variant_id"] = variant.id
        data = {**sku_event_data(variant), "inventory": inventory}
        catalog.emit("store/sku/inventory/order/updated", data)
    else:
        data = {"type": "product", "id": product.id, "inventory": inventory}
        catalog.emit("store/product/inventory/order/updated", data)


def _options(catalog: Catalog, variant: Variant) -> tuple[tuple[str, str, int, int], ...]:
    out = []
    for value_id in variant.option_value_ids:
        for option in catalog.options_of(variant.product_id):
            value = option.value(value_id)
            if value is not None:
                out.append((option.display_name, value.label, option.id, value.id))
    return tuple(out)


def place_order(book: OrderBook, catalog: Catalog, draft: OrderDraft) -> Order:
    if not draft.lines:
        raise ApiError.invalid({"lines": "an order needs at least one line"})
    if draft.status_id not in STATUSES:
        raise ApiError.invalid({"status_id": f"unknown status {draft.status_id}"})
    picked = [(_pick(catalog, line), line) for line in draft.lines]
    created = whole_seconds(draft.created_at or catalog.clock.now())
    main_address = OrderShippingAddress(
        id=book.ids.take("order_address"),
        address=draft.shipping or draft.billing,
        cost_ex_tax=draft.shipping_cost,
        cost_tax=(draft.shipping_cost * draft.tax_rate).quantize(_CENT, ROUND_HALF_UP),
    )
    addresses = [main_address]
    # A second address only exists when something ships there.
    if draft.extra_shipping is not None and any(line.second_address for line in draft.lines):
        addresses.append(
            replace(main_address, id=book.ids.take("order_address"), address=draft.extra_shipping)
        )
    lines = []
    for (product, variant), line in picked:
        price = variant.price if variant.price is not None else product.price
        if variant.sale_price is not None and 0 < variant.sale_price < price:
            price = variant.sale_price
        elif variant.price is None and 0 < product.sale_price < product.price:
            price = product.sale_price
        address = addresses[-1] if line.second_address else addresses[0]
        lines.append(
            OrderLine(
                id=book.ids.take("order_product"),
                product_id=product.id,
                variant_id=variant.id,
                order_address_id=address.id,
                name=product.name,
                sku=variant.sku,
                upc=variant.upc or product.upc,
                type=product.type,
                base_price=price,
                price_tax=(price * draft.tax_rate).quantize(_CENT, ROUND_HALF_UP),
                quantity=line.quantity,
                weight=variant.weight if variant.weight is not None else product.weight,
                options=_options(catalog, variant),
            )
        )
    if draft.take_stock:
        for (product, variant), line in picked:
            _take_stock(catalog, product, variant, line.quantity)
    order = Order(
        id=book.ids.take("order"),
        customer_id=draft.customer_id,
        status_id=draft.status_id,
        date_created=created,
        date_modified=created,
        billing_address=draft.billing,
        lines=tuple(lines),
        shipping_addresses=tuple(addresses),
        payment_method=draft.payment_method,
        payment_status="captured" if draft.status_id not in (0, 1, 7) else "pending",
        customer_message=draft.customer_message,
        ip_address=draft.ip_address,
        cart_id=f"cart-{created.strftime('%Y%m%d%H%M%S')}-{len(book.orders) + 1}",
    )
    return book.add(order)
