"""BigCommerce's fifteen order statuses. Merchants rename the labels, so flxd keys on the id and
accepts a name or an id wherever a status is configured."""

from __future__ import annotations

import re

__all__ = ["STATUS_NAMES", "parse_status"]

STATUS_NAMES: dict[int, str] = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


_BY_KEY = {_key(name): status for status, name in STATUS_NAMES.items()}
_BY_KEY["canceled"] = 5


def parse_status(value: object) -> int:
    """A status id from an id (0-14) or a name in any spelling ("Awaiting Fulfillment",
    "awaiting_fulfillment"); ValueError naming the value otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"unknown status {value!r}")
    if isinstance(value, int):
        if value in STATUS_NAMES:
            return value
        raise ValueError(f"unknown status id {value} (0-14)")
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return parse_status(int(text))
        found = _BY_KEY.get(_key(text))
        if found is not None:
            return found
    raise ValueError(f"unknown status {value!r}")
