"""`publish_listings`: create BigCommerce products for hub listings with nothing on the store.

Publishable: active, listed listings never published here, delisted and since relisted, or
refused earlier and changed since the last run (all refused ones on `--full`). For each page of
them, products BigCommerce may already have (created by a run that crashed before recording
the link, or made by the merchant) are looked up by SKU first and linked instead of created:
a create is a POST, never sent twice. Refusals (409 duplicate SKU or name, 422) are recorded
on the listing's links with BigCommerce's message, and the run goes on.

The cursor is the hub change sequence at the start of the last completed run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flxd.plugin import ChannelProduct, Link, LinkState, Listing, RecordError, RunContext, sku_key
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.config import PublishListingsSettings
from flxd_bigcommerce.errors import ApiProblem, BadRequest, Conflict, Invalid
from flxd_bigcommerce.listings.payload import Draft, product_draft
from flxd_bigcommerce.listings.products import parse_product
from flxd_bigcommerce.policy import problem_details

__all__ = ["run_publish"]

PAGE = 50
PRODUCTS = "catalog/products"
_LOOKUP_FIELDS = "id,name,sku,upc,mpn,gtin,price,inventory_level,inventory_tracking,date_modified"


async def run_publish(client: BigCommerceClient, ctx: RunContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, PublishListingsSettings)
    async with ctx.transaction() as hub:
        start = await hub.catalog.last_seq()
    previous = ctx.cursor()
    publisher = _Publisher(ctx, settings, client, ctx.connection)
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
        self,
        ctx: RunContext,
        settings: PublishListingsSettings,
        client: BigCommerceClient,
        connection: str,
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.client = client
        self.connection = connection

    async def publish_page(self, listings: list[Listing]) -> None:
        drafts: dict[int, Draft] = {}
        for listing in listings:
            try:
                drafts[listing.id] = product_draft(listing, self.settings)
            except RecordError as exc:
                await self._refused(listing, str(exc))
        existing = await self._existing([d.sku for d in drafts.values() if d.sku])
        for listing in listings:
            draft = drafts.get(listing.id)
            if draft is None:
                continue
            if draft.dropped:
                self.ctx.log.warning(
                    "attributes over 250 characters left out",
                    listing=listing.key,
                    attributes=list(draft.dropped),
                )
            found = existing.get(sku_key(draft.sku)) if draft.sku else None
            if found is None and draft.sku is None:
                found = await self._by_variant_sku(listing.variants[0].sku)
            if found is not None:
                await self._adopt(listing, found)
            else:
                await self._create(listing, draft)

    # ---- looking before creating -----------------------------------------------------------

    async def _existing(self, skus: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Products on the store with these product-level SKUs, by `sku_key`."""
        found: dict[str, dict[str, Any]] = {}
        plain = sorted({s for s in skus if "," not in s})
        queries: list[dict[str, str | int]] = [
            {"sku:in": ",".join(plain[i : i + PAGE])} for i in range(0, len(plain), PAGE)
        ]
        queries += [{"sku": s} for s in skus if "," in s]  # a comma would split an `:in` list
        for query in queries:
            # Paged on `meta.pagination`: with `include=variants` a store may serve fewer
            # products a page than asked (API.md §5), and a product not seen would be created
            # again.
            params = {**query, "include": "variants", "include_fields": _LOOKUP_FIELDS}
            async for page in self.client.v3_pages(PRODUCTS, params):
                for product in page.items:
                    if product.get("sku"):
                        found[sku_key(str(product["sku"]))] = product
        return found

    async def _by_variant_sku(self, sku: str) -> dict[str, Any] | None:
        """The product owning a variant SKU (for listings whose product has no SKU of its own)."""
        variants = _data_list(await self.client.get("v3", "catalog/variants", {"sku": sku}))
        if not variants:
            return None
        product_id = variants[0].get("product_id")
        answer = await self.client.get(
            "v3",
            f"{PRODUCTS}/{product_id}",
            {"include": "variants", "include_fields": _LOOKUP_FIELDS},
        )
        data = answer.get("data") if isinstance(answer, dict) else None
        return data if isinstance(data, dict) else None

    # ---- linking an existing product -------------------------------------------------------

    async def _adopt(self, listing: Listing, raw: dict[str, Any]) -> None:
        try:
            product = parse_product(raw)
        except RecordError as exc:
            await self._refused(
                listing, f"the BigCommerce product with this SKU is unreadable: {exc}"
            )
            return
        async with self.ctx.transaction() as hub:
            holders = await hub.links.for_products(self.connection, [product.ref])
        other = next((k for k in holders if k.listing_id != listing.id), None)
        if other is not None:
            await self._refused(
                listing,
                f"BigCommerce product {product.ref} has this SKU and is linked to another listing",
                conflict=True,
            )
            return
        if self.settings.override_names and listing.name and product.name != listing.name:
            try:
                await self.client.v3_data(
                    "PUT",
                    f"{PRODUCTS}/{product.ref}",
                    body={"name": listing.name},
                    plan={
                        "action": "rename_product",
                        "product": product.ref,
                        "old": product.name,
                        "new": listing.name,
                    },
                )
            except (Conflict, Invalid) as exc:
                await self._refused(listing, _refusal(exc), conflict=isinstance(exc, Conflict))
                return
        await self._link_existing(listing, product)

    async def _link_existing(self, listing: Listing, product: ChannelProduct) -> None:
        items = {sku_key(sku): i for i in product.items if (sku := i.master("sku"))}
        if not any(sku_key(v.sku) in items for v in listing.variants):
            await self._refused(
                listing,
                f"BigCommerce product {product.ref} has this SKU but none of the listing's "
                "variants",
                conflict=True,
            )
            return
        links: list[Link] = []
        differing: list[tuple[int, int | None]] = []
        for variant in listing.variants:
            item = items.get(sku_key(variant.sku))
            if item is None:
                why = f"not on BigCommerce product {product.ref}, which has the listing's SKU"
                # Linked or not, a variant flxd cannot place is said, never silently left out.
                self.ctx.skip(RecordError(why, record=variant.sku))
                links.append(self._failed(listing, variant.id, why))
                continue
            links.append(
                Link(
                    connection=self.connection,
                    variant_id=variant.id,
                    listing_id=listing.id,
                    product_ref=product.ref,
                    variant_ref=item.variant_ref,
                    state=LinkState.LISTED,
                    pushed_price=item.price,
                    pushed_quantity=item.quantity,
                    stock_ref=item.stock_ref,
                )
            )
            if (variant.price is not None and variant.price != item.price) or (
                variant.quantity is not None and variant.quantity != item.quantity
            ):
                differing.append((listing.id, variant.id))
        async with self.ctx.transaction() as hub:
            await hub.links.save(links)
            # The hub's price and quantity win: the next sync pushes them.
            await hub.catalog.mark_changed(differing, "linked")
        self.ctx.count("linked")

    # ---- creating --------------------------------------------------------------------------

    async def _create(self, listing: Listing, draft: Draft) -> None:
        body = draft.body
        try:
            response = await self.client.request(
                "POST",
                "v3",
                PRODUCTS,
                params={"include": "variants"},
                body=body,
                idempotent=False,
                plan={
                    "action": "create_product",
                    "listing": listing.key,
                    "sku": draft.sku,
                    "name": body["name"],
                    "variants": len(listing.variants),
                },
                irreversible=True,
            )
        except (Conflict, Invalid, BadRequest) as exc:
            await self._refused(listing, _refusal(exc), conflict=isinstance(exc, Conflict))
            return
        if response.planned:  # a dry run's: nothing created, nothing to link
            self.ctx.count("created")
            return
        data = _created(response.data)
        if not isinstance(data, dict) or not isinstance(data.get("id"), int):
            # Created or not, flxd cannot tell: the next run finds it by SKU before creating.
            raise RecordError(f"POST {PRODUCTS}: no product id in the answer", record=listing.key)
        partial = None
        if response.status == 207:
            title, fields = problem_details(response.body)
            partial = f"saved in part: {title} {fields}".strip()
            self.ctx.skip(RecordError(partial, record=listing.key))
        variants = data.get("variants")
        if not draft.simple and not isinstance(variants, list):
            variants = [
                v
                async for page in self.client.v3_pages(f"{PRODUCTS}/{data['id']}/variants")
                for v in page.items
            ]
        ids = {
            sku_key(str(v.get("sku"))): v.get("id") for v in variants or () if isinstance(v, dict)
        }
        links = []
        for variant in listing.variants:
            variant_ref = None if draft.simple else ids.get(sku_key(variant.sku))
            if not draft.simple and variant_ref is None:
                why = f"BigCommerce product {data['id']} was created without this variant"
                self.ctx.skip(RecordError(why, record=variant.sku))
                links.append(self._failed(listing, variant.id, why))
                continue
            links.append(
                Link(
                    connection=self.connection,
                    variant_id=variant.id,
                    listing_id=listing.id,
                    product_ref=str(data["id"]),
                    variant_ref=None if variant_ref is None else str(variant_ref),
                    state=LinkState.LISTED,
                    pushed_price=variant.price,
                    # A 207 saved the product but not its stock (API.md §13): the quantity is
                    # not on the store, so sync_listings sends it (inventory adjustments).
                    pushed_quantity=None if partial else variant.quantity,
                    error=partial,
                )
            )
        async with self.ctx.transaction() as hub:
            await hub.links.save(links)
        self.ctx.count("created")

    # ---- refusals --------------------------------------------------------------------------

    def _failed(self, listing: Listing, variant_id: int, error: str) -> Link:
        return Link(
            connection=self.connection,
            variant_id=variant_id,
            listing_id=listing.id,
            product_ref="",
            variant_ref=None,
            state=LinkState.FAILED,
            error=error,
        )

    async def _refused(self, listing: Listing, error: str, *, conflict: bool = False) -> None:
        """Record why the listing is not on the store; it is tried again once it changes."""
        self.ctx.skip(RecordError(error, record=listing.key))
        if conflict:
            self.ctx.count("conflicts")
        async with self.ctx.transaction() as hub:
            await hub.links.save([self._failed(listing, v.id, error) for v in listing.variants])


def _refusal(exc: ApiProblem) -> str:
    detail = "; ".join(f"{k}: {v}" for k, v in sorted(exc.fields.items()))
    return f"BigCommerce answered {exc.status}: {exc.title}" + (f" ({detail})" if detail else "")


def _created(answer: Any) -> dict[str, Any] | None:
    """The product a create answered with: `data` is the product, or (a 207, saved in part)
    a list holding it, as BigCommerce's documents give it."""
    data = answer.get("data") if isinstance(answer, Mapping) else None
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    return data if isinstance(data, dict) else None


def _data_list(answer: Any) -> list[dict[str, Any]]:
    data = answer.get("data") if isinstance(answer, Mapping) else None
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []
