"""BigCommerce's half of `flxd orders explain`: fetch the order and compare it with get_orders'
settings, saying which values were compared. The hub's half (imported? the cursor, the next run,
the connection's health) is core's."""

from __future__ import annotations

from datetime import datetime, timedelta

from flxd.plugin import CheckContext, Operation, OrderExplanation, RecordError
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.config import GetOrdersSettings
from flxd_bigcommerce.errors import NotFound
from flxd_bigcommerce.orders.importer import cursor_part
from flxd_bigcommerce.orders.mapping import status_of
from flxd_bigcommerce.parse import parse_date
from flxd_bigcommerce.statuses import STATUS_NAMES

__all__ = ["explain_order"]


def _named(status: int) -> str:
    return f"{status} ({STATUS_NAMES.get(status, 'unknown')})"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


async def explain_order(
    client: BigCommerceClient, ctx: CheckContext, order_id: str
) -> OrderExplanation:
    if not order_id.isdigit():
        return OrderExplanation(
            found=False, reasons=(f"{order_id!r} is not a BigCommerce order id (a number)",)
        )
    try:
        raw = await client.get("v2", f"/orders/{int(order_id)}")
    except NotFound:
        return OrderExplanation(
            found=False,
            reasons=(f"BigCommerce store {client.store_hash} has no order {order_id}",),
        )
    if not isinstance(raw, dict):
        return OrderExplanation(found=False, reasons=("BigCommerce sent no order",))
    settings = ctx.operation_settings.get(Operation.GET_ORDERS)
    if not isinstance(settings, GetOrdersSettings):
        settings = GetOrdersSettings()
    try:
        status = status_of(raw)
        created = parse_date(raw.get("date_created"), "date_created")
        modified = parse_date(raw.get("date_modified"), "date_modified")
    except RecordError as exc:
        return OrderExplanation(found=True, reasons=(f"the order cannot be read: {exc}",))
    label = raw.get("status")
    facts = {
        "status": f"{status} {label}" if isinstance(label, str) and label else _named(status),
        "created": _when(created),
        "modified": _when(modified),
    }
    reasons: list[str] = []
    if status not in settings.statuses:
        configured = ", ".join(_named(s) for s in settings.statuses)
        reasons.append(
            f"its status {_named(status)} is not among the configured statuses: {configured}"
        )
    if settings.created_within_days:
        since = ctx.clock.now() - timedelta(days=settings.created_within_days)
        if created < since:
            reasons.append(
                f"it was created {_when(created)}, before the window of created_within_days = "
                f"{settings.created_within_days} (orders created since {_when(since)})"
            )
    if raw.get("is_deleted") is True:
        reasons.append("it is archived on BigCommerce (archived orders are not listed)")
    return OrderExplanation(
        found=True,
        facts=facts,
        reasons=tuple(reasons),
        modified_at=modified,
        cursor_part=cursor_part(status),
    )
