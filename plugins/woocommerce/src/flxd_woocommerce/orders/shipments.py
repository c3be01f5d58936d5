"""sync_orders: every hub shipment not pushed yet reaches the customer on WooCommerce, once.

Core WooCommerce has no shipments. A shipment becomes either
- an entry of the Shipment Tracking extension (`wc-shipment-tracking/v3`, WooCommerce's own,
  sold separately) when the store has it (`tracking = "auto"`, found in the site's REST
  namespaces) or it is asked for: the provider (the carrier mapped through `carriers`, or
  found among the extension's providers by name; else the carrier's name as a custom
  provider), the tracking number and the day it shipped; or
- an order note to the customer (WooCommerce emails it): "Shipped with <carrier>, tracking
  number <number>: <items>." (the text is the shipment's, so it is found again).

Exactly once: before the first write the hub commits `attempted_at` on the shipment. Core
never re-sends a POST that may have reached the store, so a shipment still pending with
`attempted_at` set may be there already (the process crashed, the answer was lost): it is
looked for first (a tracking entry with its tracking number, or a customer note with its
text, not claimed by another hub shipment of the order) and only created when it is not. A
shipment the store refuses (an order that is gone) is marked failed with the reason.

Once everything on an order has shipped, the order is completed (`complete_when_shipped`),
from processing or on-hold only (WooCommerce then emails the customer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flxd.plugin import (
    Order,
    PermanentError,
    RunContext,
    Shipment,
    ShipmentState,
    TransientError,
)
from flxd_woocommerce.client import WooClient
from flxd_woocommerce.config import SyncOrdersSettings
from flxd_woocommerce.features import TRACKING_NAMESPACE, SiteFeatures
from flxd_woocommerce.orders.completion import complete_shipped
from flxd_woocommerce.orders.tracking import Providers, note_text, tracking_body

__all__ = ["run_sync_orders"]

_BATCH = 50


async def run_sync_orders(client: WooClient, ctx: RunContext, features: SiteFeatures) -> None:
    settings = ctx.settings
    assert isinstance(settings, SyncOrdersSettings)
    ctx.count("pushed", 0)
    pusher: _Pusher | None = None
    after = 0
    while not ctx.stopping:
        async with ctx.transaction() as hub:
            batch = await hub.orders.pending_shipments(ctx.connection, after_id=after, limit=_BATCH)
            orders = {s.order_id: await hub.orders.get_by_id(s.order_id) for s in batch}
        if not batch:
            return
        if pusher is None:
            use_extension = settings.tracking == "extension" or (
                settings.tracking == "auto" and await features.shipment_tracking(client)
            )
            pusher = _Pusher(client, ctx, settings, use_extension)
        shipped: dict[int, Order] = {}
        for shipment in batch:
            order = orders[shipment.order_id]
            assert order is not None  # shipments reference their order
            if await pusher.push(shipment, order):
                shipped[shipment.order_id] = order
        if settings.complete_when_shipped and shipped:
            await complete_shipped(client, ctx, list(shipped.values()))
        after = batch[-1].id


class _Pusher:
    def __init__(
        self, client: WooClient, ctx: RunContext, settings: SyncOrdersSettings, extension: bool
    ) -> None:
        self._client = client
        self._ctx = ctx
        self._settings = settings
        self._extension = extension
        self._providers = Providers(settings.carriers)

    async def push(self, shipment: Shipment, order: Order) -> bool:
        """Send one hub shipment; True when it is on WooCommerce now."""
        ctx = self._ctx
        if shipment.attempted_at is not None:
            found = await self._already_there(shipment, order)
            if found is not None:
                ctx.log.info(
                    "shipment found on WooCommerce from an interrupted push; not created again",
                    shipment=shipment.id,
                    order=order.channel_order_id,
                )
                await self._mark(shipment, ShipmentState.PUSHED, channel_id=found)
                return True
        else:
            async with ctx.transaction() as hub:
                await hub.orders.mark_shipment_attempted(shipment.id)
        try:
            created = await self._create(shipment, order)
        except PermanentError as exc:  # the order is gone, or the store refuses the entry
            await self._mark(shipment, ShipmentState.FAILED, error=f"WooCommerce refused it: {exc}")
            return False
        if created is None:  # a dry run's: nothing was created
            return True
        await self._mark(shipment, ShipmentState.PUSHED, channel_id=created)
        return True

    async def _create(self, shipment: Shipment, order: Order) -> str | None:
        oid = order.channel_order_id
        plan = {
            "action": "create_shipment",
            "order": oid,
            "tracking": shipment.tracking_number,
            "carrier": shipment.carrier,
            "items": _items(shipment, order),
            "as": "tracking" if self._extension else "note",
        }
        # Irreversible: it emails the customer. Core confirms the lease right before it leaves.
        if self._extension and shipment.tracking_number:
            await self._providers.load(self._client, oid)
            body = tracking_body(shipment, self._providers, self._ctx.clock.now())
            response = await self._client.request(
                "POST",
                f"orders/{oid}/shipment-trackings",
                body=body,
                namespace=TRACKING_NAMESPACE,
                plan=plan,
                irreversible=True,
            )
            key = "tracking_id"
        else:
            text = note_text(shipment, order, self._providers)
            response = await self._client.request(
                "POST",
                f"orders/{oid}/notes",
                body={"note": text, "customer_note": True},
                plan=plan,
                irreversible=True,
            )
            key = "id"
        if response.planned:
            return None
        found = response.data.get(key) if isinstance(response.data, Mapping) else None
        if not isinstance(found, str | int) or isinstance(found, bool):
            # Created, but flxd cannot tell which it is: the next run finds it (attempted_at).
            raise TransientError(f"POST orders/{oid}: 201 without the new entry's {key}")
        return f"{'tracking' if key == 'tracking_id' else 'note'}:{found}"

    async def _already_there(self, shipment: Shipment, order: Order) -> str | None:
        """The entry an earlier, interrupted push of `shipment` created, if any."""
        async with self._ctx.transaction() as hub:
            siblings = await hub.orders.shipments_of(shipment.order_id)
        claimed = {s.channel_shipment_id for s in siblings if s.id != shipment.id}
        oid = order.channel_order_id
        if self._extension and shipment.tracking_number:
            entries = await self._client.get(
                f"orders/{oid}/shipment-trackings", namespace=TRACKING_NAMESPACE
            )
            for entry in entries if isinstance(entries, list) else ():
                if not isinstance(entry, dict):
                    continue
                ref = f"tracking:{entry.get('tracking_id')}"
                if ref not in claimed and entry.get("tracking_number") == shipment.tracking_number:
                    return ref
            return None
        text = note_text(shipment, order, self._providers)
        async for page in self._client.pages(f"orders/{oid}/notes", {"type": "customer"}):
            for note in page:
                if not isinstance(note, dict):
                    continue
                ref = f"note:{note.get('id')}"
                if ref not in claimed and _same_text(note.get("note"), text):
                    return ref
        return None

    async def _mark(
        self,
        shipment: Shipment,
        state: ShipmentState,
        *,
        error: str | None = None,
        channel_id: str | None = None,
    ) -> None:
        async with self._ctx.transaction() as hub:
            await hub.orders.mark_shipment(shipment.id, state, channel_id=channel_id, error=error)
        if state is ShipmentState.PUSHED:
            self._ctx.count("pushed")
        else:
            self._ctx.count("rejected")
            self._ctx.log.warning("shipment rejected", shipment=shipment.id, reason=error)


def _same_text(found: Any, expected: str) -> bool:
    """A note as WordPress kept it: it may have turned newlines and entities around."""
    if not isinstance(found, str):
        return False
    return " ".join(found.replace("&amp;", "&").split()) == " ".join(expected.split())


def _items(shipment: Shipment, order: Order) -> str:
    """The shipment's lines as a person reads them: `SKUxQUANTITY`, comma-separated."""
    skus = {line.id: line.sku or line.name or line.channel_line_id for line in order.lines}
    return ",".join(
        f"{skus.get(item.order_line_id, item.order_line_id)}x{item.quantity}"
        for item in shipment.lines
    )
