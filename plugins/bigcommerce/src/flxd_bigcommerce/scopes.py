"""Which OAuth scopes each operation needs (API.md §2), and how to tell whether a token has them.

A modify scope includes its read-only twin; BigCommerce reports scopes only for OAuth grants,
so for API accounts `flxd connections check` probes one cheap read per scope instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from flxd.plugin import Operation
from flxd_bigcommerce.client import Version

__all__ = ["PROBES", "REQUIRED", "covers", "missing_scopes", "required_scopes"]

INFORMATION = "store_v2_information_read_only"
REQUIRED: dict[Operation, tuple[str, ...]] = {
    Operation.IMPORT_LISTINGS: ("store_v2_products_read_only",),
    Operation.PUBLISH_LISTINGS: ("store_v2_products",),
    Operation.SYNC_LISTINGS: ("store_v2_products", "store_inventory"),
    Operation.GET_ORDERS: ("store_v2_orders",),  # acknowledgements write orders/metafields
    Operation.SYNC_ORDERS: ("store_v2_orders",),
}

# A read that needs the scope family (version, path): 403 on it means the scope is missing.
PROBES: dict[str, tuple[Version, str]] = {
    "store_v2_information": ("v2", "/time"),
    "store_v2_products": ("v3", "/catalog/products"),
    "store_v2_orders": ("v2", "/orders/count"),
    "store_inventory": ("v3", "/inventory/items"),
}


def family(scope: str) -> str:
    return scope.removesuffix("_read_only")


def covers(granted: Iterable[str], scope: str) -> bool:
    """Whether the granted scopes include `scope` (a modify scope covers its read-only twin)."""
    have = set(granted)
    return scope in have or (scope.endswith("_read_only") and family(scope) in have)


def required_scopes(operations: Iterable[Operation]) -> list[str]:
    needed = {INFORMATION}
    for op in operations:
        needed.update(REQUIRED[op])
    # A modify scope makes its read-only twin redundant.
    return sorted(s for s in needed if not (s.endswith("_read_only") and family(s) in needed))


def missing_scopes(granted: Iterable[str], operations: Iterable[Operation]) -> list[str]:
    granted = list(granted)
    return [s for s in required_scopes(operations) if not covers(granted, s)]
