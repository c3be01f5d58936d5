"""Keeping customers' personal data no longer than the merchant configured.

`pii_retention_days` (a core setting of get_orders) after an order was imported, its customer's
names, emails, phones and addresses are erased from the hub; the order stays with its totals,
SKUs and status. Core does this at the start of every get_orders run, before the channel talks
to its store, so the purge keeps its schedule when the store is unreachable or has nothing new.
0 or absent keeps the data.
"""

from __future__ import annotations

from datetime import timedelta

from flxd.config.operations import GetOrdersSettings
from flxd.plugin.context import RunContext

__all__ = ["purge_personal_data"]


async def purge_personal_data(ctx: RunContext) -> int:
    """Erase what is past the retention period; returns how many orders were erased."""
    settings = ctx.settings
    days = settings.pii_retention_days if isinstance(settings, GetOrdersSettings) else None
    if not days:
        return 0
    cutoff = ctx.clock.now() - timedelta(days=days)
    async with ctx.transaction() as hub:
        erased = await hub.orders.erase_personal_data(ctx.connection, cutoff)
    if erased:
        ctx.count("pii_erased", erased)
        # Counts and the cutoff only: what was erased must not reappear in a log line.
        ctx.log.info("personal data erased", orders=erased, imported_before=cutoff.isoformat())
    return erased
