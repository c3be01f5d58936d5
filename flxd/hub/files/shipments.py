"""Reading shipments from CSV or JSON Lines files (`flxd orders ship --file`).

Columns: `order` (a hub order id) or `connection` + `order_id` (the channel's order id);
`tracking`, `carrier`, `method`; the items as `items` (`SKU=QTY;SKU=QTY`) or one per row as
`sku` + `quantity`. Rows for the same order, tracking number, carrier and method make one
shipment (a warehouse export with a row per item); no items means everything still unshipped.
In JSON Lines, `items` may also be a list of {"sku", "quantity"} or an object {SKU: QTY}.

Bad rows are reported by line and left out; a problem with the file itself rejects it whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flxd.hub.files.rows import FileRejected, file_kind, read_rows
from flxd.hub.shipments import ShipmentRequest, parse_item

__all__ = ["COLUMNS", "ParsedShipments", "ShipmentFileRejected", "parse_shipment_file"]

COLUMNS = (
    "order",
    "connection",
    "order_id",
    "tracking",
    "carrier",
    "method",
    "items",
    "sku",
    "quantity",
)
_ALIASES = {"tracking_number": "tracking", "shipping_method": "method"}


ShipmentFileRejected = FileRejected
"""The file as a whole cannot be read (the same error as for listing files)."""


@dataclass(slots=True)
class ParsedShipments:
    requests: list[tuple[int, ShipmentRequest]] = field(default_factory=list)
    """(line of the shipment's first row, request)."""
    problems: list[tuple[int, str]] = field(default_factory=list)
    rows: int = 0


def parse_shipment_file(path: Path, *, format: str | None = None) -> ParsedShipments:
    kind = file_kind(path, format)
    _, rows = read_rows(path, kind, columns=(*COLUMNS, *_ALIASES), rename=_ALIASES)
    parsed = ParsedShipments()
    groups: dict[tuple[Any, ...], tuple[int, ShipmentRequest, bool]] = {}
    for line, row in rows:
        parsed.rows += 1
        try:
            if isinstance(row, str):
                raise ValueError(row)
            request = _request({_ALIASES.get(k, k): v for k, v in row.items()})
        except ValueError as exc:
            parsed.problems.append((line, str(exc)))
            continue
        key = (
            request.connection,
            request.order,
            request.tracking_number,
            request.carrier,
            request.method,
        )
        if key not in groups:
            groups[key] = (line, request, not request.items)
            continue
        first, merged, everything = groups[key]
        if everything or not request.items:
            parsed.problems.append(
                (
                    line,
                    f"{request.order_ref}: a row without items ships everything; give items "
                    "on every row of this shipment or on none",
                )
            )
            continue
        items = merged.items + request.items
        groups[key] = (first, replace(merged, items=items), False)
    parsed.requests = [(line, request) for line, request, _ in groups.values()]
    return parsed


def _text(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _request(row: Mapping[str, Any]) -> ShipmentRequest:
    row = {_ALIASES.get(k, k): v for k, v in row.items()}
    unknown = sorted(set(row) - set(COLUMNS))
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}")
    connection, order_id, order = (_text(row, n) for n in ("connection", "order_id", "order"))
    if connection and order_id:
        ref, conn = order_id, connection
    elif order and not (connection or order_id):
        ref, conn = order, None
    else:
        raise ValueError("give either order (a hub order id) or connection and order_id")
    return ShipmentRequest(
        order=ref,
        connection=conn,
        carrier=_text(row, "carrier"),
        tracking_number=_text(row, "tracking"),
        method=_text(row, "method"),
        items=_items(row),
    )


def _items(row: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
    raw, sku = row.get("items"), _text(row, "sku")
    if sku is not None:
        if raw not in (None, ""):
            raise ValueError("give items or sku and quantity, not both")
        quantity = _text(row, "quantity") or "1"
        return (parse_item(f"{sku}={quantity}"),)
    if _text(row, "quantity") is not None:
        raise ValueError("quantity without sku")
    if raw is None or raw == "":
        return ()
    if isinstance(raw, str):
        return tuple(parse_item(part) for part in raw.split(";") if part.strip())
    if isinstance(raw, Mapping):
        return tuple(parse_item(f"{k}={v}") for k, v in raw.items())
    if isinstance(raw, list):
        found = []
        for item in raw:
            if not isinstance(item, Mapping) or "sku" not in item:
                raise ValueError('items: expected [{"sku": …, "quantity": …}, …]')
            found.append(parse_item(f"{item['sku']}={item.get('quantity', 1)}"))
        return tuple(found)
    raise ValueError("items: expected SKU=QTY;SKU=QTY")
