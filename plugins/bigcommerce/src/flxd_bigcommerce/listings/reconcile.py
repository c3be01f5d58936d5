"""The reconciliation pass's reader for BigCommerce: price and stock of every product and
variant as the store has them now, in as few requests as BigCommerce allows.

Why: read pessimistically (API.md §7 and §12), a product's `date_modified` does not move when
a variant, its stock, an inventory adjustment or an order changes it, and variants have no
`date_modified` of their own, so an incremental import cannot see that drift. Core's pass
(flxd.plugin.flows.reconcile) compares what this yields with the hub and has sync_listings put
the hub's values back.

Requests, two walks of 250 a page (D:QP#L5), trimmed with `include_fields`:
- `GET /v3/catalog/products?include_fields=id,price,inventory_level,inventory_tracking`: each
  product's own entry (`variant_ref` None): its price, and its stock where the product keeps it
  (a simple product, or `inventory_tracking` "product": the one number for all its variants,
  compared by core with the hub's total, as sync writes it);
- `GET /v3/catalog/variants?include_fields=id,product_id,sku,price,inventory_level`: each
  variant's price (the product's when the variant has none: it inherits it) and, when its
  product tracks stock by variant, its stock.
So ⌈products/250⌉ + ⌈variants/250⌉ requests, more if the store clamps `limit` lower (the
variants endpoint documents no maximum: UNCONFIRMED); every page read is one request.

Pages end on BigCommerce's word only (the client's `v3_pages`: `meta.pagination`, never a
short page, since a store may serve fewer than `limit` before the last). The stock read is the
catalog's, the default location's (D:PROD#L8215), as import reads it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from flxd.plugin import ChannelStock, RecordError, RunContext
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.parse import money, whole

__all__ = ["PRODUCT_FIELDS", "VARIANT_FIELDS", "read_stock"]

PRODUCT_FIELDS = "id,price,inventory_level,inventory_tracking"
VARIANT_FIELDS = "id,product_id,sku,price,inventory_level"


async def read_stock(
    client: BigCommerceClient, ctx: RunContext
) -> AsyncIterator[Sequence[ChannelStock]]:
    """Every product's and variant's price and stock, a page at a time. Items the store sends
    malformed are skipped and counted (`ctx.skip`)."""
    products: dict[int, tuple[Decimal | None, str]] = {}  # id -> (price, inventory_tracking)
    params = {"include_fields": PRODUCT_FIELDS}
    async for page in client.v3_pages("catalog/products", params):
        found = []
        for raw in page.items:
            try:
                entry, tracking = _product(raw)
            except RecordError as exc:
                ctx.skip(exc)
                continue
            products[int(entry.product_ref)] = (entry.price, tracking)
            found.append(entry)
        yield found
    params = {"include_fields": VARIANT_FIELDS}
    async for page in client.v3_pages("catalog/variants", params):
        found = []
        for raw in page.items:
            try:
                found.append(_variant(raw, products))
            except RecordError as exc:
                ctx.skip(exc)
        yield found


def _product(raw: Any) -> tuple[ChannelStock, str]:
    if not isinstance(raw, Mapping):
        raise RecordError("a product that is not an object", record="product")
    record = f"product {raw.get('id')}"
    try:
        pid = whole(raw.get("id"), "id", minimum=1)
        tracking = str(raw.get("inventory_tracking"))
        quantity = None
        if tracking != "none" and raw.get("inventory_level") is not None:
            quantity = whole(raw.get("inventory_level"), "inventory_level", minimum=0)
        price = money(raw.get("price"), "price", required=False)
    except RecordError as exc:
        raise RecordError(str(exc), record=record) from None
    return ChannelStock(product_ref=str(pid), variant_ref=None, price=price, quantity=quantity), (
        tracking
    )


def _variant(raw: Any, products: Mapping[int, tuple[Decimal | None, str]]) -> ChannelStock:
    if not isinstance(raw, Mapping):
        raise RecordError("a variant that is not an object", record="variant")
    record = f"variant {raw.get('id')}"
    try:
        vid = whole(raw.get("id"), "id", minimum=1)
        pid = whole(raw.get("product_id"), "product_id", minimum=1)
        product_price, tracking = products.get(pid, (None, "unknown"))
        price = money(raw.get("price"), "price", required=False)
        quantity = None
        if tracking == "variant" and raw.get("inventory_level") is not None:
            quantity = whole(raw.get("inventory_level"), "inventory_level", minimum=0)
    except RecordError as exc:
        raise RecordError(str(exc), record=record) from None
    sku = raw.get("sku")
    return ChannelStock(
        product_ref=str(pid),
        variant_ref=str(vid),
        sku=sku if isinstance(sku, str) else None,
        # No price of its own: it sells at its product's (a product added meanwhile: unknown).
        price=price if price is not None else product_price,
        quantity=quantity,
    )
