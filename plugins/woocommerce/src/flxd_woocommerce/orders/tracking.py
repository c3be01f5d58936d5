"""What a shipment says on WooCommerce: the Shipment Tracking extension's entry, or the text of
the note to the customer, with the carrier as the store knows it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flxd.plugin import Order, Shipment
from flxd_woocommerce.client import WooClient
from flxd_woocommerce.config import CarrierMapping
from flxd_woocommerce.features import TRACKING_NAMESPACE

__all__ = ["Providers", "note_text", "tracking_body"]


def _plain(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


class Providers:
    """Carriers as the store names them: the `carriers` setting first, then the extension's own
    provider list (read once), matched by name without regard to case or punctuation."""

    def __init__(self, carriers: Mapping[str, CarrierMapping]) -> None:
        self._carriers = {_plain(name): mapping for name, mapping in carriers.items()}
        self._known: dict[str, str] | None = None

    async def load(self, client: WooClient, order_id: str) -> None:
        if self._known is not None:
            return
        answer = await client.get(
            f"orders/{order_id}/shipment-trackings/providers", namespace=TRACKING_NAMESPACE
        )
        known: dict[str, str] = {}
        for country in answer.values() if isinstance(answer, dict) else ():
            for name in country if isinstance(country, dict) else ():
                known[_plain(name)] = name
        self._known = known

    def label(self, carrier: str | None) -> str:
        if not carrier:
            return ""
        mapping = self._carriers.get(_plain(carrier))
        return (mapping.label if mapping is not None and mapping.label else "") or carrier

    def provider(self, carrier: str | None) -> str | None:
        """The extension's provider for this carrier; None when it knows none."""
        if not carrier:
            return None
        mapping = self._carriers.get(_plain(carrier))
        if mapping is not None and mapping.provider:
            return mapping.provider
        return (self._known or {}).get(_plain(carrier))


def tracking_body(shipment: Shipment, providers: Providers, now: datetime) -> dict[str, Any]:
    """A Shipment Tracking entry (the extension links known providers to their tracking page)."""
    body: dict[str, Any] = {
        "tracking_number": shipment.tracking_number,
        "date_shipped": str(int(now.timestamp())),
    }
    provider = providers.provider(shipment.carrier)
    if provider is not None:
        body["tracking_provider"] = provider
    elif shipment.carrier:
        body["custom_tracking_provider"] = providers.label(shipment.carrier)
    return body


def note_text(shipment: Shipment, order: Order, providers: Providers) -> str:
    """The note to the customer; the same shipment always gives the same text."""
    skus = {line.id: line.sku or line.name or line.channel_line_id for line in order.lines}
    items = ", ".join(
        f"{skus.get(item.order_line_id, item.order_line_id)} x {item.quantity}"
        for item in shipment.lines
    )
    carrier = providers.label(shipment.carrier)
    head = f"Shipped with {carrier}" if carrier else "Shipped"
    if shipment.tracking_number:
        head += f", tracking number {shipment.tracking_number}"
    if shipment.method:
        head += f" ({shipment.method})"
    return f"{head}: {items}." if items else f"{head}."
