"""WooCommerce's order statuses, by slug: the core ones and any custom one a plugin registers.

The API takes and gives slugs without the `wc-` prefix the database keeps; merchants and
plugins rename labels, so flxd matches slugs.
"""

from __future__ import annotations

import re

__all__ = ["CORE_STATUSES", "UNPAID", "label_of", "parse_status"]

CORE_STATUSES: dict[str, str] = {
    "pending": "Pending payment",
    "processing": "Processing",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
    "checkout-draft": "Draft",
}
UNPAID = frozenset({"pending", "failed", "checkout-draft"})
"""Statuses of orders not paid (yet)."""
# WordPress keeps post statuses in a 20-character column; the database adds "wc-".
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,16}")


def parse_status(value: object) -> str:
    """A status as configured: its slug ("on-hold"), with or without "wc-", any case; a
    core status's label ("On hold") is taken too. ValueError for anything else."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a status slug, got {value!r}")
    text = value.strip()
    by_label = {label.lower(): slug for slug, label in CORE_STATUSES.items()}
    if text.lower() in by_label:
        return by_label[text.lower()]
    slug = text.lower().removeprefix("wc-")
    if slug == "trash":
        raise ValueError("'trash' holds deleted orders; it cannot be imported")
    if not _SLUG.fullmatch(slug):
        raise ValueError(
            f"{value!r} is not a status slug (1-17 lowercase letters, digits, '-' or '_', "
            "e.g. processing, on-hold, or a custom status's slug)"
        )
    return slug


def label_of(slug: str) -> str:
    return CORE_STATUSES.get(slug, slug)
