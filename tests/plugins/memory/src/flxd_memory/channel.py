"""The memory channel: five operations over a RemoteStore."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

import flxd.plugin as core
from flxd.plugin import (
    Address,
    AuthError,
    ChannelBase,
    CheckContext,
    CheckReport,
    ConnectionServices,
    ConnectionSettings,
    Duration,
    EnvSecret,
    FileSecret,
    ImportListingsSettings,
    Link,
    LinkState,
    ListingStatus,
    Order,
    OrderLine,
    PermanentError,
    Presence,
    RecordError,
    RelativePath,
    RunContext,
    ShipmentState,
    TransientError,
    VariantUpdate,
    pick_secret,
)
from flxd_memory.remote import RemoteProduct, RemoteStore, RemoteVariant, get_store, money

STATUSES = ("pending", "awaiting_payment", "awaiting_fulfillment", "shipped", "cancelled")


class MemorySettings(ConnectionSettings):
    store: str = "default"
    token_env: EnvSecret | None = None
    token_file: FileSecret | None = None
    state_file: RelativePath | None = None
    seed_products: int = Field(default=0, ge=0)
    seed_orders: int = Field(default=0, ge=0)
    page_size: int = Field(default=50, ge=1, le=1000)
    page_delay: Duration = 0.0

    @model_validator(mode="after")
    def _token(self) -> MemorySettings:
        pick_secret("token", self.token_env, self.token_file)
        return self

    @property
    def token(self) -> str:
        return pick_secret("token", self.token_env, self.token_file).get_secret_value()


def _known_status(value: str) -> str:
    if value not in STATUSES:
        raise ValueError(f"unknown status {value!r}")
    return value


class GetOrdersSettings(core.GetOrdersSettings):
    statuses: list[Annotated[str, AfterValidator(_known_status)]] = Field(
        default_factory=lambda: ["awaiting_fulfillment"]
    )


class MemoryChannel(ChannelBase):
    def __init__(self, settings: MemorySettings, services: ConnectionServices) -> None:
        self.settings = settings
        self.remote: RemoteStore = get_store(
            settings.store,
            state_file=settings.state_file,
            seed_products=settings.seed_products,
            seed_orders=settings.seed_orders,
        )

    async def _call(self, ctx: RunContext | CheckContext) -> RemoteStore:
        """Every "request": latency, injected faults, then the credentials check."""
        if self.settings.page_delay:
            await ctx.clock.sleep(self.settings.page_delay)
        remote = self.remote
        if remote.fail_next:
            kind = remote.fail_next.pop(0)
            if kind == "transient":
                raise TransientError("memory store: injected outage")
            if kind == "auth":
                raise AuthError("memory store: injected 401")
            raise PermanentError("memory store: injected failure")
        if remote.revoked or self.settings.token != remote.token:
            raise AuthError("memory store: token rejected (401)")
        return remote

    async def check(self, ctx: CheckContext) -> CheckReport:
        try:
            remote = await self._call(ctx)
        except AuthError as exc:
            return CheckReport(ok=False, verdict=f"credentials rejected: {exc}")
        return CheckReport(
            ok=True, verdict="connected", details={"products": str(len(remote.products))}
        )

    # ---- listings ------------------------------------------------------------------------

    async def import_listings(self, ctx: RunContext) -> None:
        assert isinstance(ctx.settings, ImportListingsSettings)
        seen = int(ctx.cursor() or 0)
        while not ctx.stopping:
            remote = await self._call(ctx)
            page = sorted(
                (p for p in remote.products.values() if p.modified > seen), key=lambda p: p.modified
            )[: self.settings.page_size]
            if not page:
                return
            updates = [u for p in page for u in self._updates(ctx, p)]
            async with ctx.transaction() as hub:
                result = await hub.catalog.upsert(
                    updates,
                    new_status=ListingStatus.PAUSED
                    if ctx.settings.new_listings_paused
                    else ListingStatus.ACTIVE,
                )
                for product in page:
                    await self._link(hub, ctx.connection, product)
                seen = page[-1].modified
                hub.set_cursor(str(seen))
            ctx.count("created", result.created)
            ctx.count("updated", result.updated)

    def _updates(self, ctx: RunContext, product: RemoteProduct) -> list[VariantUpdate]:
        found: list[VariantUpdate] = []
        for v in product.variants:
            try:
                if not v.sku:
                    raise RecordError("variant has no SKU", record=f"product {product.id}")
                found.append(
                    VariantUpdate(
                        sku=v.sku,
                        parent=product.variants[0].sku,
                        listing_name=product.name,
                        price=None if v.price is None else Decimal(v.price),
                        quantity=v.quantity,
                    )
                )
            except RecordError as exc:
                ctx.skip(exc)
        return found

    async def _link(self, hub: Any, connection: str, product: RemoteProduct) -> None:
        for v in product.variants:
            listing = await hub.catalog.listing(v.sku) if v.sku else None
            if listing is None:
                continue
            variant = next(x for x in listing.variants if x.sku.lower() == v.sku.lower())
            await hub.links.save(
                [
                    Link(
                        connection=connection,
                        variant_id=variant.id,
                        listing_id=listing.id,
                        product_ref=str(product.id),
                        variant_ref=str(v.id),
                        state=LinkState.LISTED if product.available else LinkState.HIDDEN,
                        pushed_price=variant.price,
                        pushed_quantity=variant.quantity,
                    )
                ]
            )

    async def publish_listings(self, ctx: RunContext) -> None:
        after = 0
        while not ctx.stopping:
            async with ctx.transaction() as hub:
                listings = await hub.catalog.unlinked_listings(
                    ctx.connection, after_id=after, limit=self.settings.page_size
                )
            if not listings:
                return
            remote = await self._call(ctx)
            async with ctx.transaction() as hub:
                for listing in listings:
                    existing = remote.variant(listing.variants[0].sku) if listing.variants else None
                    if existing is not None:  # look before creating: a crash may have left it
                        product = existing[0]
                    else:
                        product = RemoteProduct(
                            remote.new_id(), listing.name or listing.key, remote.tick()
                        )
                        product.variants = [
                            RemoteVariant(remote.new_id(), v.sku, money(v.price), v.quantity)
                            for v in listing.variants
                        ]
                        remote.products[product.id] = product
                        ctx.count("created")
                    await self._link(hub, ctx.connection, product)
                remote.save()
            after = listings[-1].id

    async def sync_listings(self, ctx: RunContext) -> None:
        seq = int(ctx.cursor() or 0)
        while not ctx.stopping:
            async with ctx.transaction() as hub:
                batch = await hub.catalog.changes_since(seq, limit=self.settings.page_size)
                if not batch.changes:
                    return
                listings = await hub.catalog.listings_by_id(batch.listing_ids)
                links = await hub.links.for_listings(ctx.connection, batch.listing_ids)
            remote = await self._call(ctx)
            by_variant = {link.variant_id: link for link in links}
            async with ctx.transaction() as hub:
                pushed: list[tuple[int, Decimal | None, int | None]] = []
                for listing in listings.values():
                    refs = [by_variant[v.id] for v in listing.variants if v.id in by_variant]
                    if not refs:
                        continue
                    product = remote.products.get(int(refs[0].product_ref))
                    if product is None:
                        await hub.links.set_listing_state(
                            ctx.connection, listing.id, LinkState.MISSING
                        )
                        continue
                    if listing.presence is Presence.DELISTED:
                        del remote.products[product.id]
                        await hub.links.set_listing_state(
                            ctx.connection, listing.id, LinkState.DELISTED
                        )
                        ctx.count("delisted")
                        continue
                    product.available = listing.presence is Presence.LISTED
                    if listing.status is ListingStatus.PAUSED:
                        ctx.count("paused_skipped")
                        continue
                    for v in listing.variants:
                        remote_variant = next((x for x in product.variants if x.sku == v.sku), None)
                        if remote_variant is None:
                            continue
                        remote_variant.price = money(v.price)
                        remote_variant.quantity = v.quantity
                        pushed.append((v.id, v.price, v.quantity))
                    product.modified = remote.tick()
                await hub.links.record_pushed(ctx.connection, pushed)
                ctx.count("pushed", len(pushed))
                hub.set_cursor(str(batch.last_seq))
                remote.save()
            seq = batch.last_seq

    # ---- orders --------------------------------------------------------------------------

    async def get_orders(self, ctx: RunContext) -> None:
        assert isinstance(ctx.settings, GetOrdersSettings)
        seen = int(ctx.cursor() or 0)
        wanted = set(ctx.settings.statuses)
        while not ctx.stopping:
            remote = await self._call(ctx)
            page = sorted(
                (o for o in remote.orders.values() if o.modified > seen), key=lambda o: o.modified
            )[: self.settings.page_size]
            if not page:
                return
            async with ctx.transaction() as hub:
                for remote_order in page:
                    if remote_order.status not in wanted:
                        continue
                    stored = await hub.orders.store(_order(ctx.connection, remote_order, ctx))
                    if stored.created:
                        ctx.count("imported")
                seen = page[-1].modified
                hub.set_cursor(str(seen))

    async def sync_orders(self, ctx: RunContext) -> None:
        while not ctx.stopping:
            async with ctx.transaction() as hub:
                pending = await hub.orders.pending_shipments(
                    ctx.connection, limit=self.settings.page_size
                )
                orders = {s.id: await hub.orders.get_by_id(s.order_id) for s in pending}
            if not pending:
                return
            remote = await self._call(ctx)
            async with ctx.transaction() as hub:
                for shipment in pending:
                    order = orders[shipment.id]
                    remote_order = remote.orders.get(int(order.channel_order_id)) if order else None
                    if remote_order is None:
                        await hub.orders.mark_shipment(
                            shipment.id,
                            ShipmentState.FAILED,
                            error="order not found on the channel",
                        )
                        continue
                    ref = f"flxd-{shipment.id}"
                    found = next((s for s in remote_order.shipments if s["ref"] == ref), None)
                    if found is None:  # look before re-creating after a crash
                        found = {
                            "id": remote.new_id(),
                            "ref": ref,
                            "tracking": shipment.tracking_number,
                            "items": [
                                [line.channel_line_id, line.quantity] for line in shipment.lines
                            ],
                        }
                        remote_order.shipments.append(found)
                        ctx.count("pushed")
                    await hub.orders.mark_shipment(
                        shipment.id, ShipmentState.PUSHED, channel_id=str(found["id"])
                    )
                remote.save()


def _order(connection: str, remote: Any, ctx: RunContext) -> Order:
    now = ctx.clock.now()
    return Order(
        connection=connection,
        channel_order_id=str(remote.id),
        status_code=remote.status,
        status_name=remote.status.replace("_", " "),
        created_at=now,
        modified_at=now,
        grand_total=sum((Decimal(x["price"]) * x["quantity"] for x in remote.lines), Decimal(0)),
        currency="EUR",
        customer_name=remote.customer,
        customer_email=remote.email,
        lines=tuple(
            OrderLine(
                channel_line_id=str(x["id"]),
                sku=x["sku"],
                name=x["sku"],
                quantity=x["quantity"],
                unit_price=Decimal(x["price"]),
                channel_address_id="1",
            )
            for x in remote.lines
        ),
        addresses=(Address(channel_address_id="1", name=remote.customer, city="London"),),
    )
