"""`publish_listings`: create WooCommerce products for hub listings with nothing on the store.

Publishable: active, listed listings never published here, delisted and since relisted, or
refused earlier and changed since the last run (all refused ones on `--full`). For each page
of them, products the store may already have (created by a run that crashed before recording
the link, made by the merchant, or a product flxd delisted: it went to draft) are looked up by
SKU first and linked instead (and published again when they are drafts): a create is never
sent twice. What is left is created in batches (`/products/batch`, 100 a request), then each
variable product's variations (`/products/{id}/variations/batch`). A refusal (a duplicate SKU,
an invalid GTIN) is recorded on the listing's links with WooCommerce's message, and the run
goes on.

The cursor is the hub change sequence at the start of the last completed run.
"""

from __future__ import annotations

from collections.abc import Sequence

from flxd.plugin import Listing, RecordError, RunContext, sku_key
from flxd_woocommerce.client import MAX_BATCH, WooClient
from flxd_woocommerce.config import PublishListingsSettings
from flxd_woocommerce.listings.adopt import Adopter, existing_products, link_items
from flxd_woocommerce.listings.payload import Draft, product_draft
from flxd_woocommerce.listings.refusals import refuse

__all__ = ["run_publish"]

PAGE = MAX_BATCH
"""Listings a page: one SKU lookup and one batch of creates each (the store's limits)."""


async def run_publish(client: WooClient, ctx: RunContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, PublishListingsSettings)
    async with ctx.transaction() as hub:
        start = await hub.catalog.last_seq()
    previous = ctx.cursor()
    publisher = _Publisher(ctx, settings, client)
    after = 0
    while not ctx.stopping:
        async with ctx.transaction() as hub:
            ids = await hub.links.publishable(
                ctx.connection,
                after_id=after,
                limit=PAGE,
                changed_after=int(previous) if previous and previous.isdigit() else None,
            )
            listings = await hub.catalog.listings_by_id(ids)
        if not ids:
            break
        after = ids[-1]
        await publisher.publish_page([listings[i] for i in ids])
    if not ctx.stopping:
        async with ctx.transaction() as hub:
            hub.set_cursor(str(start))


class _Publisher:
    def __init__(
        self, ctx: RunContext, settings: PublishListingsSettings, client: WooClient
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.client = client
        self.adopter = Adopter(ctx, settings, client)

    async def publish_page(self, listings: list[Listing]) -> None:
        drafts: dict[int, Draft] = {}
        for listing in listings:
            try:
                drafts[listing.id] = product_draft(listing, self.settings)
            except RecordError as exc:
                await refuse(self.ctx, listing, str(exc))
        skus = [_lookup_sku(listing, d) for listing in listings if (d := drafts.get(listing.id))]
        existing = await existing_products(self.client, skus)
        new: list[tuple[Listing, Draft]] = []
        for listing in listings:
            draft = drafts.get(listing.id)
            if draft is None:
                continue
            found = existing.get(sku_key(_lookup_sku(listing, draft)))
            if found is not None:
                await self.adopter.adopt(listing, draft, found)
            else:
                new.append((listing, draft))
        for start in range(0, len(new), MAX_BATCH):
            await self._create(new[start : start + MAX_BATCH])

    async def _create(self, batch: Sequence[tuple[Listing, Draft]]) -> None:
        outcome = await self.client.batch(
            "products",
            create=[draft.body for _, draft in batch],
            plan=[
                {
                    "action": "create_product",
                    "listing": listing.key,
                    "sku": draft.sku,
                    "name": draft.body["name"],
                    "variants": len(listing.variants),
                }
                for listing, draft in batch
            ],
            irreversible=True,
        )
        if outcome is None:  # a dry run's: nothing created, nothing to link
            self.ctx.count("created", len(batch))
            return
        for (listing, draft), item in zip(batch, outcome["create"], strict=True):
            if not item.ok and item.status >= 500:
                # Not saved (a database error on that item): nothing is recorded, so the
                # listing is still unpublished and the next run creates it.
                self.ctx.count("retry_later")
                self.ctx.log.warning(
                    "product not saved by WooCommerce; the next run creates it",
                    listing=listing.key,
                    error=f"{item.code}: {item.message}",
                )
                continue
            if not item.ok:
                await refuse(
                    self.ctx, listing, f"WooCommerce refused it: {item.code}: {item.message}"
                )
                continue
            assert item.data is not None
            product_id = item.data.get("id")
            if not isinstance(product_id, int):
                # Created or not, flxd cannot tell: the next run finds it by SKU first.
                raise RecordError("products/batch: no product id in the answer", record=listing.key)
            if draft.simple:
                await link_items(self.ctx, listing, product_id, {listing.variants[0].id: None})
            else:
                await self.adopter.create_variations(listing, product_id, draft.variations)
            self.ctx.count("created")


def _lookup_sku(listing: Listing, draft: Draft) -> str:
    """The SKU a product for this listing has: its own, else its first variant's."""
    return draft.sku or listing.variants[0].sku
