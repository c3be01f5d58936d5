"""Publishing's careful half: finding what the store has already, linking it instead of creating
it again, and creating a variable product's variations.

A product found by SKU is linked to the listing: its name is set to the hub's (with
`override_names`), a draft is published again (flxd's delist leaves products as drafts), each
hub variant is linked to the variation with its SKU, and where the store's price or stock
differs the hub's wins at the next sync. A variable product without any variation is one a
publish created and could not finish (its variations are created now); one that has others is
the merchant's, and the hub variants it lacks are reported rather than added to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flxd.plugin import (
    ChannelItem,
    Link,
    LinkState,
    Listing,
    RecordError,
    RunContext,
    Variant,
    sku_key,
)
from flxd_woocommerce.client import MAX_BATCH, MAX_PAGE, WooClient
from flxd_woocommerce.config import PublishListingsSettings
from flxd_woocommerce.listings.payload import Draft
from flxd_woocommerce.listings.products import parse_product
from flxd_woocommerce.listings.refusals import failed_link, refuse
from flxd_woocommerce.listings.scan import PRODUCT_FIELDS, VARIATION_FIELDS

__all__ = ["Adopter", "existing_products", "link_items"]

_LOOKUP_FIELDS = PRODUCT_FIELDS + ",parent_id"
SAVE_TRIES = 5


async def existing_products(client: WooClient, skus: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Products on the store with these SKUs (their own, or a variation's), by `sku_key`."""
    wanted = sorted(set(skus))
    plain = [s for s in wanted if "," not in s]
    queries = [",".join(plain[i : i + MAX_PAGE]) for i in range(0, len(plain), MAX_PAGE)]
    queries += [s for s in wanted if "," in s]  # a comma would split a list
    found: dict[str, dict[str, Any]] = {}
    parents: dict[int, list[str]] = {}
    for query in queries:
        page = await client.list_page(
            "products", {"sku": query, "per_page": MAX_PAGE, "_fields": _LOOKUP_FIELDS}
        )
        for item in page.items:
            if not isinstance(item, dict) or not isinstance(item.get("sku"), str):
                continue
            key = sku_key(item["sku"])
            if item.get("type") == "variation" and isinstance(item.get("parent_id"), int):
                parents.setdefault(item["parent_id"], []).append(key)
            elif item.get("type") != "variation":
                found[key] = item
    for parent_id, keys in parents.items():
        parent = await client.get(f"products/{parent_id}", {"_fields": _LOOKUP_FIELDS})
        if isinstance(parent, dict):
            for key in keys:
                found.setdefault(key, parent)
    return found


async def link_items(
    ctx: RunContext,
    listing: Listing,
    product_id: int,
    refs: Mapping[int, str | None],
    items: Mapping[int, ChannelItem] | None = None,
) -> None:
    """Link the listing's variants in `refs` (hub variant id -> variation id, None for a
    simple product) to the product; pushed values are what the store has (`items`), else the
    hub's (just created from them)."""
    links: list[Link] = []
    for variant in listing.variants:
        if variant.id not in refs:
            continue
        item = (items or {}).get(variant.id)
        links.append(
            Link(
                connection=ctx.connection,
                variant_id=variant.id,
                listing_id=listing.id,
                product_ref=str(product_id),
                variant_ref=refs[variant.id],
                state=LinkState.LISTED,
                pushed_price=item.price if item is not None else variant.price,
                pushed_quantity=item.quantity if item is not None else variant.quantity,
                stock_ref=item.stock_ref if item is not None else None,
            )
        )
    async with ctx.transaction() as hub:
        await hub.links.save(links)


class Adopter:
    def __init__(
        self, ctx: RunContext, settings: PublishListingsSettings, client: WooClient
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.client = client

    async def adopt(self, listing: Listing, draft: Draft, raw: dict[str, Any]) -> None:
        product_id = raw.get("id")
        if not isinstance(product_id, int):
            await refuse(self.ctx, listing, "the WooCommerce product with this SKU has no id")
            return
        async with self.ctx.transaction() as hub:
            holders = await hub.links.for_products(self.ctx.connection, [str(product_id)])
        if any(k.listing_id != listing.id for k in holders):
            await refuse(
                self.ctx,
                listing,
                f"WooCommerce product {product_id} has this SKU and is linked to another listing",
                conflict=True,
            )
            return
        variations: list[Any] = []
        if raw.get("type") == "variable":
            async for page in self.client.pages(
                f"products/{product_id}/variations", {"_fields": VARIATION_FIELDS}
            ):
                variations += page
        try:
            product = parse_product(raw, variations)
        except RecordError as exc:
            await refuse(self.ctx, listing, f"the WooCommerce product with this SKU: {exc}")
            return
        if not await self._update(listing, product_id, raw, draft, empty=not variations):
            return
        items = {sku_key(sku): i for i in product.items if (sku := i.master("sku"))}
        if raw.get("type") == "variable" and not variations and not draft.simple:
            await self.create_variations(listing, product_id, draft.variations)
            self.ctx.count("linked")
            return
        await self._link_existing(listing, product_id, items)

    async def _update(
        self,
        listing: Listing,
        product_id: int,
        raw: Mapping[str, Any],
        draft: Draft,
        *,
        empty: bool,
    ) -> bool:
        """Name and status as the hub wants them (and, for a product whose variations were
        never created, the attributes they need). False when the store refused."""
        change: dict[str, Any] = {}
        if self.settings.override_names and listing.name and raw.get("name") != listing.name:
            change["name"] = listing.name
        if raw.get("status") in ("draft", "auto-draft") and self.settings.status != "draft":
            change["status"] = self.settings.status
        if empty and not draft.simple and raw.get("type") == "variable":
            change["attributes"] = draft.body["attributes"]
        if not change:
            return True
        response = await self.client.request(
            "PUT",
            f"products/{product_id}",
            body=change,
            plan={
                "action": "update_product",
                "product": product_id,
                **{k: v for k, v in change.items() if k != "attributes"},
            },
        )
        if response.planned or isinstance(response.data, dict):
            return True
        await refuse(
            self.ctx, listing, f"WooCommerce product {product_id}: no answer to the update"
        )
        return False

    async def _link_existing(
        self, listing: Listing, product_id: int, items: Mapping[str, ChannelItem]
    ) -> None:
        found = {v.id: items[sku_key(v.sku)] for v in listing.variants if sku_key(v.sku) in items}
        if not found:
            await refuse(
                self.ctx,
                listing,
                f"WooCommerce product {product_id} has this SKU but none of the listing's variants",
                conflict=True,
            )
            return
        await link_items(
            self.ctx, listing, product_id, {vid: i.variant_ref for vid, i in found.items()}, found
        )
        lacking = [
            failed_link(self.ctx, listing, v.id, f"not on WooCommerce product {product_id}")
            for v in listing.variants
            if v.id not in found
        ]
        differing = [
            (listing.id, v.id)
            for v in listing.variants
            if (item := found.get(v.id)) is not None
            and (
                (v.price is not None and v.price != item.price)
                or (v.quantity is not None and v.quantity != item.quantity)
            )
        ]
        async with self.ctx.transaction() as hub:
            await hub.links.save(lacking)
            # The hub's price and quantity win: the next sync pushes them.
            await hub.catalog.mark_changed(differing, "linked")
        self.ctx.count("linked")

    async def create_variations(
        self,
        listing: Listing,
        product_id: int,
        variations: Sequence[tuple[Variant, dict[str, Any]]],
    ) -> None:
        """Create a new variable product's variations, 100 a request; link each one made.
        Variations the store answers it did not save (a database error on that item, a 5xx
        inside the answer) are sent again, at most `SAVE_TRIES` times in all: once the
        product has any linked variation no later publish comes back for the others."""
        todo = list(variations)
        for _ in range(SAVE_TRIES):
            unsaved: list[tuple[Variant, dict[str, Any]]] = []
            for start in range(0, len(todo), MAX_BATCH):
                unsaved += await self._create_chunk(
                    listing, product_id, todo[start : start + MAX_BATCH]
                )
            todo = unsaved
            if not todo:
                return
        reason = "WooCommerce did not save the variation (a database error), several times"
        async with self.ctx.transaction() as hub:
            await hub.links.save([failed_link(self.ctx, listing, v.id, reason) for v, _ in todo])
        for variant, _ in todo:
            self.ctx.skip(RecordError(reason, record=variant.sku))

    async def _create_chunk(
        self,
        listing: Listing,
        product_id: int,
        chunk: Sequence[tuple[Variant, dict[str, Any]]],
    ) -> list[tuple[Variant, dict[str, Any]]]:
        """One batch of variation creates; the ones not saved."""
        outcome = await self.client.batch(
            f"products/{product_id}/variations",
            create=[body for _, body in chunk],
            plan=[
                {"action": "create_variation", "product": product_id, "sku": v.sku}
                for v, _ in chunk
            ],
            irreversible=True,
        )
        if outcome is None:
            return []
        refs: dict[int, str | None] = {}
        refused: list[Link] = []
        unsaved: list[tuple[Variant, dict[str, Any]]] = []
        for (variant, body), item in zip(chunk, outcome["create"], strict=True):
            variation_id = item.data.get("id") if item.data is not None else None
            if isinstance(variation_id, int):
                refs[variant.id] = str(variation_id)
            elif item.status >= 500:
                unsaved.append((variant, body))
            else:
                reason = f"WooCommerce refused the variation: {item.code}: {item.message}"
                refused.append(failed_link(self.ctx, listing, variant.id, reason))
                self.ctx.skip(RecordError(reason, record=variant.sku))
        await link_items(self.ctx, listing, product_id, refs)
        if refused:
            async with self.ctx.transaction() as hub:
                await hub.links.save(refused)
        return unsaved
