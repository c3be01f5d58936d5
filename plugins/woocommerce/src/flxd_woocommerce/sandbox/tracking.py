"""The Shipment Tracking extension (WooCommerce's own, sold separately; not in core and not in
the route index), switchable per store. It adds ``wc-shipment-tracking/v3`` routes:

- ``GET|POST /orders/{order_id}/shipment-trackings``,
- ``GET|DELETE /orders/{order_id}/shipment-trackings/{tracking_id}``,
- ``GET /orders/{order_id}/shipment-trackings/providers``.

A tracking item has ``tracking_id`` (32 hex), ``tracking_provider`` (a known provider's name,
else the text given), ``tracking_link``, ``tracking_number`` (required) and ``date_shipped``
(``YYYY-MM-DD`` in site time; sent as a date or a Unix timestamp, default today). Create with
a known ``tracking_provider`` (an unknown one is kept as its slug, without a link), or
``custom_tracking_provider`` and ``custom_tracking_link``.
Items live in the order's ``_wc_shipment_tracking_items`` meta row (visible in the order's
``meta_data``), saved as meta only: the order's ``date_modified`` does not move and no
``order.updated`` fires.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from flxd_woocommerce.sandbox.catalog.records import Meta
from flxd_woocommerce.sandbox.catalog.writes import sanitize_title
from flxd_woocommerce.sandbox.orders.records import Order
from flxd_woocommerce.sandbox.wpdates import parse_rest_date

__all__ = ["META_KEY", "PROVIDERS", "add_item", "delete_item", "item_json", "items_of"]

META_KEY = "_wc_shipment_tracking_items"
PROVIDERS: dict[str, dict[str, str]] = {
    "Australia": {"Australia Post": "https://auspost.com.au/mypost/track/#/details/%1$s"},
    "Canada": {
        "Canada Post": "https://www.canadapost-postescanada.ca/track-reperage/en#/search"
        "?searchFor=%1$s"
    },
    "Germany": {
        "DHL Intraship (DE)": "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html"
        "?lang=de&idc=%1$s",
        "DPD.de": "https://tracking.dpd.de/parcelstatus?query=%1$s&locale=en_DE",
    },
    "United Kingdom": {
        "Royal Mail": "https://www.royalmail.com/track-your-item#/tracking-results/%1$s",
        "DPD.co.uk": "https://www.dpd.co.uk/apps/tracking/?reference=%1$s",
    },
    "United States": {
        "USPS": "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=%1$s",
        "UPS": "https://www.ups.com/track?loc=en_US&tracknum=%1$s",
        "FedEx": "https://www.fedex.com/apps/fedextrack/?action=track&tracknumbers=%1$s",
        "DHL US": "https://www.logistics.dhl/us-en/home/tracking/tracking-ecommerce.html"
        "?tracking-id=%1$s",
    },
}
_BY_SLUG = {
    sanitize_title(name): (name, link)
    for country in PROVIDERS.values()
    for name, link in country.items()
}


def items_of(order: Order) -> list[dict[str, Any]]:
    for meta in order.meta:
        if meta.key == META_KEY and isinstance(meta.value, list):
            return [dict(item) for item in meta.value if isinstance(item, dict)]
    return []


def _save(order: Order, items: list[dict[str, Any]], next_meta_id: int) -> None:
    for meta in order.meta:
        if meta.key == META_KEY:
            meta.value = items
            return
    order.meta.append(Meta(id=next_meta_id, key=META_KEY, value=items))


def _shipped_at(value: Any, site_tz: tzinfo, now: datetime) -> int:
    text = str(value or "").strip()
    if text.isdigit():
        return int(text)
    if text:
        parsed = parse_rest_date(
            text if "T" in text or " " in text else f"{text}T00:00:00", site_tz
        )
        if parsed is not None:
            return int(parsed.timestamp())
    return int(now.timestamp())


def add_item(
    order: Order, params: Mapping[str, Any], *, site_tz: tzinfo, now: datetime, next_meta_id: int
) -> dict[str, Any]:
    """Append a tracking item; ``next_meta_id`` numbers the meta row if it is new and salts
    the item's id."""
    given = str(params.get("tracking_provider") or "")
    provider = sanitize_title(given) if given else ""
    item = {
        "tracking_provider": provider,
        "custom_tracking_provider": str(params.get("custom_tracking_provider") or ""),
        "custom_tracking_link": str(params.get("custom_tracking_link") or ""),
        "tracking_number": str(params["tracking_number"]),
        "date_shipped": str(_shipped_at(params.get("date_shipped"), site_tz, now)),
        "tracking_id": hashlib.md5(
            f"{provider}-{params['tracking_number']}-{next_meta_id}".encode()
        ).hexdigest(),
    }
    items = items_of(order)
    items.append(item)
    _save(order, items, next_meta_id)
    return item


def delete_item(order: Order, tracking_id: str) -> dict[str, Any] | None:
    items = items_of(order)
    for item in items:
        if item.get("tracking_id") == tracking_id:
            items.remove(item)
            _save(order, items, 0)
            return item
    return None


def item_json(item: Mapping[str, Any], site_tz: tzinfo, links: dict[str, Any]) -> dict[str, Any]:
    number = str(item.get("tracking_number", ""))
    if item.get("custom_tracking_provider"):
        name = str(item["custom_tracking_provider"])
        link = str(item.get("custom_tracking_link", "")).replace("%1$s", number)
    else:
        name, template = _BY_SLUG.get(str(item.get("tracking_provider", "")), ("", ""))
        name = name or str(item.get("tracking_provider", ""))
        link = template.replace("%1$s", number)
    shipped = datetime.fromtimestamp(int(item.get("date_shipped") or 0), tz=site_tz)
    return {
        "tracking_id": item.get("tracking_id", ""),
        "tracking_provider": name,
        "tracking_link": link,
        "tracking_number": number,
        "date_shipped": shipped.strftime("%Y-%m-%d"),
        "_links": links,
    }
