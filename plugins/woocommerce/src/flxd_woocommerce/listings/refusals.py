"""A listing WooCommerce will not take (or that flxd cannot send): the reason is kept on its
links (`failed`), the run counts it, and it is tried again once the listing changes."""

from __future__ import annotations

from flxd.plugin import Link, LinkState, Listing, RecordError, RunContext

__all__ = ["failed_link", "refuse"]


def failed_link(ctx: RunContext, listing: Listing, variant_id: int, error: str) -> Link:
    return Link(
        connection=ctx.connection,
        variant_id=variant_id,
        listing_id=listing.id,
        product_ref="",
        variant_ref=None,
        state=LinkState.FAILED,
        error=error,
    )


async def refuse(ctx: RunContext, listing: Listing, error: str, *, conflict: bool = False) -> None:
    ctx.skip(RecordError(error, record=listing.key))
    if conflict:
        ctx.count("conflicts")
    async with ctx.transaction() as hub:
        await hub.links.save([failed_link(ctx, listing, v.id, error) for v in listing.variants])
