"""Order statuses: WooCommerce's core ones and custom statuses a plugin registers (by slug,
without the ``wc-`` prefix the database uses)."""

from __future__ import annotations

import re

from flxd_woocommerce.sandbox.schema.args import CORE_ORDER_STATUSES

__all__ = ["CORE_LABELS", "REDUCES_STOCK", "RESTORES_STOCK", "OrderStatuses"]

CORE_LABELS = {
    "pending": "Pending payment",
    "processing": "Processing",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
}
# wc_maybe_reduce_stock_levels / wc_maybe_increase_stock_levels are hooked on these.
REDUCES_STOCK = frozenset({"processing", "completed", "on-hold"})
RESTORES_STOCK = frozenset({"cancelled", "pending"})
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,16}")


class OrderStatuses:
    def __init__(self, custom: dict[str, str] | None = None) -> None:
        self.custom: dict[str, str] = dict(custom or {})

    def register(self, slug: str, label: str | None = None) -> str:
        """Add a custom status; a ``wc-`` prefix is dropped as WooCommerce drops it."""
        slug = slug.removeprefix("wc-")
        if not _SLUG.fullmatch(slug):
            raise ValueError("a status slug is 1-17 lowercase letters, digits, '-' or '_'")
        if slug in CORE_LABELS or slug == "trash":
            raise ValueError(f"{slug!r} is a core status")
        self.custom[slug] = label or slug.replace("-", " ").title()
        return slug

    def all(self) -> tuple[str, ...]:
        return (*CORE_ORDER_STATUSES, *self.custom)

    def label(self, slug: str) -> str:
        return CORE_LABELS.get(slug) or self.custom.get(slug) or slug
