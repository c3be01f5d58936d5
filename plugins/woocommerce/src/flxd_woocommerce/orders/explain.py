"""WooCommerce's half of `flxd orders explain`: fetch the order and compare it with get_orders'
settings, saying which values were compared. The hub's half (imported? the cursor, the next
run, the connection's health) is core's."""

from __future__ import annotations

from datetime import datetime, timedelta

from flxd.plugin import CheckContext, Operation, OrderExplanation, RecordError
from flxd_woocommerce.client import WooClient
from flxd_woocommerce.config import GetOrdersSettings
from flxd_woocommerce.errors import BadRequest, NotFound
from flxd_woocommerce.parse import gmt_date
from flxd_woocommerce.statuses import label_of

__all__ = ["explain_order"]


def _named(status: str) -> str:
    label = label_of(status)
    return status if label == status else f"{status} ({label})"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


async def explain_order(client: WooClient, ctx: CheckContext, order_id: str) -> OrderExplanation:
    if not order_id.isdigit():
        return OrderExplanation(
            found=False, reasons=(f"{order_id!r} is not a WooCommerce order id (a number)",)
        )
    try:
        raw = await client.get(
            f"orders/{int(order_id)}", {"_fields": "id,status,date_created_gmt,date_modified_gmt"}
        )
    except (NotFound, BadRequest):
        return OrderExplanation(
            found=False, reasons=(f"{client.site_url} has no order {order_id}",)
        )
    if not isinstance(raw, dict):
        return OrderExplanation(found=False, reasons=("WooCommerce sent no order",))
    settings = ctx.operation_settings.get(Operation.GET_ORDERS)
    if not isinstance(settings, GetOrdersSettings):
        settings = GetOrdersSettings()
    status = raw.get("status")
    try:
        created = gmt_date(raw.get("date_created_gmt"), "date_created_gmt")
        modified = gmt_date(raw.get("date_modified_gmt"), "date_modified_gmt")
        if not isinstance(status, str):
            raise RecordError("status: missing")
    except RecordError as exc:
        return OrderExplanation(found=True, reasons=(f"the order cannot be read: {exc}",))
    assert created is not None and modified is not None
    facts = {"status": _named(status), "created": _when(created), "modified": _when(modified)}
    reasons: list[str] = []
    if status == "trash":
        reasons.append("it is in the trash on WooCommerce (trashed orders are not listed)")
    elif status not in settings.statuses:
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
    return OrderExplanation(
        found=True, facts=facts, reasons=tuple(reasons), modified_at=modified, cursor_part=""
    )
