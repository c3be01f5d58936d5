"""The memory channel's reconciliation reader: every variant's price and stock as the store has
them now, a page at a time, walking its whole product list (core compares and puts back)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from decimal import Decimal

from flxd.plugin import ChannelStock, RunContext
from flxd_memory.channel import MemoryChannel

__all__ = ["read_stock"]


async def read_stock(
    channel: MemoryChannel, ctx: RunContext
) -> AsyncIterator[Sequence[ChannelStock]]:
    api = await channel.api(ctx.http)
    after: str | int = 0
    while True:
        page = await api.get("/products", {"after": after, "limit": channel.settings.page_size})
        yield [
            ChannelStock(
                product_ref=str(raw["id"]),
                variant_ref=str(v["id"]),
                sku=v["sku"],
                price=None if v["price"] is None else Decimal(v["price"]),
                quantity=v["quantity"],
            )
            for raw in page["data"]
            for v in raw["variants"]
        ]
        if page["next"] is None:  # the store's end marker, never a short page
            return
        after = page["next"]
