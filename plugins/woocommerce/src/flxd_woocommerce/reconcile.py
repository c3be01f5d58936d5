"""The reconciliation pass's reader for WooCommerce: what the store has now, price and stock of
every item, in as few requests as WooCommerce allows.

WooCommerce moves no `date_modified` when stock changes (an order, a stock plugin, another
system: issue 40060) nor for most of a variation's own edits (issue 19562), so an incremental
import cannot see that drift; core's reconciliation pass compares the hub with what this
reader yields and brings the store back in line.

Requests: the products listing, 100 a page, with only the fields needed (`_fields`); and for
each variable product linked on this connection (the others hold nothing the hub tracks there)
its variations, 100 a page. A product trashed or added while the pass runs does not make it
skip another (the listing is walked by id, flxd_woocommerce.keyset).

Wired as the channel's `ChannelType.reconcile` (flxd_woocommerce.plugin): a variable product
that keeps its variations' stock yields its own entry (no variation, no price), which core
compares with the hub's total for the variations whose links say the product holds their
stock, as sync writes it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import aclosing
from typing import Any

from flxd.plugin import ChannelStock, RecordError, RunContext
from flxd_woocommerce.channel import WooCommerceChannel
from flxd_woocommerce.client import WooClient
from flxd_woocommerce.keyset import item_id, keyed_pages
from flxd_woocommerce.parse import money, whole
from flxd_woocommerce.taskgroup import each

__all__ = ["read_stock", "reconcile"]

PRODUCT_FIELDS = "id,type,regular_price,manage_stock,stock_quantity"
VARIATION_FIELDS = "id,regular_price,manage_stock,stock_quantity"


async def reconcile(
    channel: WooCommerceChannel, ctx: RunContext
) -> AsyncIterator[Sequence[ChannelStock]]:
    """The reader as ChannelType.reconcile: over the run's HTTP (core's background share)."""
    client = await channel.client_for(ctx.http)
    async with aclosing(read_stock(client, ctx)) as batches:  # type: ignore[type-var]
        async for batch in batches:
            yield batch


async def read_stock(client: WooClient, ctx: RunContext) -> AsyncIterator[Sequence[ChannelStock]]:
    """Every item's price and stock: one batch per page of products (with their variations).
    Items the store sends malformed are skipped and counted (`ctx.skip`)."""
    pages = keyed_pages(client, "products", {"_fields": PRODUCT_FIELDS})
    async with aclosing(pages):  # type: ignore[type-var]
        async for page in pages:
            linked = await _linked_variable(ctx, page.items)
            variations = await _variations(client, linked, ctx.connection_settings.max_concurrency)
            found: list[ChannelStock] = []
            for raw in page.items:
                try:
                    found += _stock_of(raw, variations.get(item_id(raw), ()))
                except RecordError as exc:
                    ctx.skip(exc)
            yield found


async def _linked_variable(ctx: RunContext, products: Sequence[Any]) -> list[int]:
    variable = [
        item_id(p) for p in products if isinstance(p, Mapping) and p.get("type") == "variable"
    ]
    if not variable:
        return []
    async with ctx.transaction() as hub:
        links = await hub.links.for_products(ctx.connection, [str(i) for i in variable if i])
    held = {link.product_ref for link in links}
    return [i for i in variable if str(i) in held]


async def _variations(
    client: WooClient, product_ids: list[int], at_once: int
) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}

    async def read(product_id: int) -> None:
        items: list[Any] = []
        async for page in client.pages(
            f"products/{product_id}/variations", {"_fields": VARIATION_FIELDS}
        ):
            items += page
        found[product_id] = items

    await each(product_ids, read, at_once=at_once)
    return found


def _quantity(raw: Mapping[str, Any], field: str) -> int | None:
    return whole(raw.get("stock_quantity"), field) if raw.get("manage_stock") is True else None


def _stock_of(raw: Any, variations: Sequence[Any]) -> list[ChannelStock]:
    if not isinstance(raw, Mapping):
        raise RecordError("a product that is not an object", record="product")
    pid = item_id(raw)
    record = f"product {pid}"
    try:
        if pid < 1:
            raise RecordError("id: missing")
        if raw.get("type") != "variable":
            return [
                ChannelStock(
                    product_ref=str(pid),
                    variant_ref=None,
                    price=money(raw.get("regular_price"), "regular_price"),
                    quantity=_quantity(raw, "stock_quantity"),
                )
            ]
        found = []
        if raw.get("manage_stock") is True:
            # The product keeps its variations' stock: the product's own entry, no price.
            found.append(
                ChannelStock(
                    product_ref=str(pid),
                    variant_ref=None,
                    price=None,
                    quantity=_quantity(raw, "stock_quantity"),
                )
            )
        for variation in variations:
            if not isinstance(variation, Mapping) or item_id(variation) < 1:
                raise RecordError("a variation without an id")
            found.append(
                ChannelStock(
                    product_ref=str(pid),
                    variant_ref=str(item_id(variation)),
                    price=money(variation.get("regular_price"), "variation regular_price"),
                    quantity=_quantity(variation, "variation stock_quantity"),
                )
            )
        return found
    except RecordError as exc:
        raise RecordError(str(exc), record=record) from None
