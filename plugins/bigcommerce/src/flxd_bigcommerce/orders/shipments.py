"""sync_orders: every hub shipment not pushed yet becomes a BigCommerce shipment, exactly once.

A shipment is created per order address its lines ship to (BigCommerce takes one
`order_address_id` per shipment), with the tracking number, the carrier mapped through
`carriers` to `shipping_provider`/`tracking_carrier`, the method, and the order-product ids and
quantities (partial shipments are fine).

Exactly once: before the first POST the hub commits `attempted_at` on the shipment. A POST is
never re-sent by core once it may have reached BigCommerce, so a shipment that is still pending
with `attempted_at` set may exist there (the process crashed, the answer was lost): it is looked
for among the order's shipments (same address, tracking number and items, not already claimed
by another hub shipment) before anything is created. A shipment BigCommerce refuses (quantity
over what is unshipped, unknown order or line) is marked failed with BigCommerce's reason and
not sent again.

The shipment is created before any status change, so the customer's shipping email carries the
tracking number. BigCommerce then moves the order to Partially Shipped or Shipped; flxd reads
the order back, sets that status itself only if BigCommerce did not, and records it in the hub.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flxd.plugin import Order, PermanentError, RunContext, Shipment, ShipmentState, TransientError
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.config import CarrierMapping, SyncOrdersSettings
from flxd_bigcommerce.statuses import STATUS_NAMES

__all__ = ["run_sync_orders"]

_BATCH = 50
SHIPPED, PARTIALLY_SHIPPED = 2, 3
# Statuses an order may be moved out of after a shipment (never out of cancelled, refunded, …).
_OPEN = frozenset({0, 1, 3, 7, 8, 9, 11, 12})


class Refused(Exception):
    """The shipment cannot be sent as it is (no address to send it to)."""


@dataclass(frozen=True, slots=True)
class _Part:
    """What one BigCommerce shipment carries: one address's lines of a hub shipment."""

    address_id: int
    items: tuple[tuple[int, int], ...]
    """(order product id, quantity), sorted."""


async def run_sync_orders(client: BigCommerceClient, ctx: RunContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, SyncOrdersSettings)
    pusher = _Pusher(client, ctx, settings)
    ctx.count("pushed", 0)
    after = 0
    while not ctx.stopping:
        async with ctx.transaction() as hub:
            batch = await hub.orders.pending_shipments(ctx.connection, after_id=after, limit=_BATCH)
            orders = {s.order_id: await hub.orders.get_by_id(s.order_id) for s in batch}
        if not batch:
            return
        shipped: dict[int, Order] = {}
        for shipment in batch:
            order = orders[shipment.order_id]
            assert order is not None  # shipments reference their order
            if await pusher.push(shipment, order):
                shipped[shipment.order_id] = order
        for order in shipped.values():
            await pusher.follow_status(order)
        after = batch[-1].id


class _Pusher:
    def __init__(
        self, client: BigCommerceClient, ctx: RunContext, settings: SyncOrdersSettings
    ) -> None:
        self._client = client
        self._ctx = ctx
        self._carriers = {name.strip().lower(): m for name, m in settings.carriers.items()}

    async def push(self, shipment: Shipment, order: Order) -> bool:
        """Send one hub shipment; True when it is on BigCommerce now."""
        ctx = self._ctx
        try:
            parts = _parts(shipment, order)
        except Refused as exc:
            await self._mark(shipment, ShipmentState.FAILED, error=str(exc))
            return False
        body = self._fields(shipment)
        existing: dict[_Part, int] = {}
        if shipment.attempted_at is not None:
            existing = await self._already_there(shipment, order, parts)
        else:
            async with ctx.transaction() as hub:
                await hub.orders.mark_shipment_attempted(shipment.id)
        created: list[int] = []
        for part in parts:
            found = existing.get(part)
            if found is not None:
                created.append(found)
                continue
            payload = {
                **body,
                "order_address_id": part.address_id,
                "items": [{"order_product_id": i, "quantity": q} for i, q in part.items],
            }
            try:
                # A write nobody can take back (it emails the customer): core confirms the lease
                # first. If the connection moved to another node, that node pushes it (after
                # looking for this one on BigCommerce).
                answer = await self._client.request(
                    "POST",
                    "v2",
                    f"/orders/{order.channel_order_id}/shipments",
                    body=payload,
                    plan={
                        "action": "create_shipment",
                        "order": order.channel_order_id,
                        "address": part.address_id,
                        "tracking": shipment.tracking_number,
                        "carrier": shipment.carrier,
                        "items": _shown_items(part, order),
                    },
                    irreversible=True,
                )
            except PermanentError as exc:  # 400 over-quantity/unknown line, 404 unknown order
                note = f"; created before it: {_ids(created)}" if created else ""
                await self._mark(
                    shipment,
                    ShipmentState.FAILED,
                    error=f"BigCommerce refused it: {exc}{note}",
                    channel_id=_ids(created) or None,
                )
                return bool(created)
            if not answer.planned:  # a dry run's: nothing was created
                created.append(_created_id(answer.data))
        await self._mark(shipment, ShipmentState.PUSHED, channel_id=_ids(created))
        return True

    def _fields(self, shipment: Shipment) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if shipment.tracking_number:
            fields["tracking_number"] = shipment.tracking_number
        if shipment.method:
            fields["shipping_method"] = shipment.method
        if shipment.carrier:
            mapping = self._carriers.get(shipment.carrier.strip().lower())
            if mapping is None:
                # Sent without a carrier rather than held back: the tracking number still
                # reaches the customer. Map it in sync_orders.carriers to get a tracking link.
                self._ctx.log.warning("carrier not mapped", carrier=shipment.carrier)
                mapping = CarrierMapping()
            if mapping.shipping_provider:
                fields["shipping_provider"] = mapping.shipping_provider
            if mapping.tracking_carrier:
                fields["tracking_carrier"] = mapping.tracking_carrier
        return fields

    async def _already_there(
        self, shipment: Shipment, order: Order, parts: Sequence[_Part]
    ) -> dict[_Part, int]:
        """The BigCommerce shipments an earlier, interrupted push of `shipment` created."""
        async with self._ctx.transaction() as hub:
            siblings = await hub.orders.shipments_of(shipment.order_id)
        claimed = {
            int(ref)
            for s in siblings
            if s.id != shipment.id and s.channel_shipment_id
            for ref in s.channel_shipment_id.split(",")
        }
        found: dict[_Part, int] = {}
        async for page in self._client.v2_pages(f"/orders/{order.channel_order_id}/shipments"):
            for remote in page:
                remote_id = remote.get("id")
                if not isinstance(remote_id, int) or remote_id in claimed:
                    continue
                if (remote.get("tracking_number") or None) != (shipment.tracking_number or None):
                    continue
                part = _remote_part(remote)
                if part is not None and part in parts and part not in found:
                    found[part] = remote_id
                    claimed.add(remote_id)
        if found:
            self._ctx.log.info(
                "shipment found on BigCommerce from an interrupted push; not created again",
                shipment=shipment.id,
                order=order.channel_order_id,
            )
        return found

    async def follow_status(self, order: Order) -> None:
        """Read the order back after shipping; set Shipped / Partially Shipped if BigCommerce
        did not, and keep the hub's status in step."""
        raw = await self._client.get("v2", f"/orders/{order.channel_order_id}")
        if not isinstance(raw, dict) or order.id is None:
            return
        status, total, shipped = (
            raw.get("status_id"),
            raw.get("items_total"),
            raw.get("items_shipped"),
        )
        if not all(isinstance(v, int) for v in (status, total, shipped)):
            return
        assert isinstance(status, int) and isinstance(total, int) and isinstance(shipped, int)
        expected = SHIPPED if shipped >= total else PARTIALLY_SHIPPED if shipped else None
        label = raw.get("status") if isinstance(raw.get("status"), str) else None
        if expected is not None and status != expected and status in _OPEN:
            await self._client.request(
                "PUT",
                "v2",
                f"/orders/{order.channel_order_id}",
                body={"status_id": expected},
                plan={"action": "set_status", "order": order.channel_order_id, "to": expected},
                irreversible=True,
            )
            status, label = expected, STATUS_NAMES[expected]
        async with self._ctx.transaction() as hub:
            await hub.orders.set_status(order.id, str(status), label or STATUS_NAMES.get(status))

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


def _created_id(data: Any) -> int:
    found = data.get("id") if isinstance(data, dict) else None
    if not isinstance(found, int):
        # Created, but flxd cannot tell which it is: the next run finds it (attempted_at).
        raise TransientError("POST /v2/orders/{id}/shipments: 201 without a shipment id")
    return found


def _shown_items(part: _Part, order: Order) -> str:
    """The part's lines as a person reads them: `SKUxQUANTITY`, comma-separated."""
    skus = {line.channel_line_id: line.sku or line.channel_line_id for line in order.lines}
    return ", ".join(f"{skus.get(str(i), i)}x{q}" for i, q in part.items)


def _ids(created: Sequence[int]) -> str:
    return ",".join(str(i) for i in created)


def _parts(shipment: Shipment, order: Order) -> list[_Part]:
    """One part per order address the shipment's lines ship to."""
    lines = {line.id: line for line in order.lines}
    sole = order.addresses[0].channel_address_id if len(order.addresses) == 1 else None
    grouped: dict[int, Counter[int]] = {}
    for item in shipment.lines:
        line = lines.get(item.order_line_id)
        if line is None:
            raise Refused(f"order line {item.order_line_id} is not on order {order.id}")
        address = line.channel_address_id or sole
        if address is None:
            raise Refused(f"{line.sku or line.channel_line_id}: no shipping address to ship it to")
        grouped.setdefault(int(address), Counter())[int(line.channel_line_id)] += item.quantity
    return [_Part(address, tuple(sorted(items.items()))) for address, items in grouped.items()]


def _remote_part(remote: Mapping[str, Any]) -> _Part | None:
    address = remote.get("order_address_id")
    items: Counter[int] = Counter()
    for item in remote.get("items") or ():
        if isinstance(item, dict):
            items[int(item.get("order_product_id", 0))] += int(item.get("quantity", 0))
    if not isinstance(address, int):
        return None
    return _Part(address, tuple(sorted(items.items())))
