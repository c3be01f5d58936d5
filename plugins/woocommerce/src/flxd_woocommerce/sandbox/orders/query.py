"""``GET /orders``: status (one, several as ``a,b`` or ``status[]=``, ``any`` = all but the
trash), the date window, ``include``/``exclude``, ``customer``, ``product``, ``search``; newest
first by default. In ``pessimistic`` an order placed less than ``order_lag_s`` ago is not
listed yet (``GET /orders/{id}`` finds it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any

from flxd_woocommerce.sandbox.listing import date_window, id_filters, order_rows
from flxd_woocommerce.sandbox.orders.book import OrderBook
from flxd_woocommerce.sandbox.orders.records import Order

__all__ = ["list_orders", "requested_statuses"]


def requested_statuses(value: Any) -> set[str]:
    if isinstance(value, list):
        return {str(v) for v in value}
    return {part for part in str(value).replace(" ", ",").split(",") if part}


def list_orders(
    book: OrderBook,
    params: Mapping[str, Any],
    site_tz: tzinfo,
    *,
    now: datetime,
    lag_s: float,
) -> list[Order]:
    statuses = requested_statuses(params.get("status", "any"))
    checks: list[Callable[[Order], bool]] = [date_window(params, site_tz), id_filters(params)]
    if "any" in statuses:
        rest = statuses - {"any"}
        checks.append(lambda o: o.status != "trash" or o.status in rest)
    else:
        checks.append(lambda o: o.status in statuses)
    if "customer" in params:
        checks.append(lambda o: o.customer_id == int(params["customer"]))
    if "product" in params:
        wanted = int(params["product"])
        checks.append(lambda o: any(i.product_id == wanted for i in o.line_items))
    if params.get("search"):
        needle = str(params["search"]).casefold()
        checks.append(lambda o: any(needle in v.casefold() for v in o.billing.values()))
    if lag_s > 0:
        visible_from = now - timedelta(seconds=lag_s)
        checks.append(lambda o: o.created <= visible_from)
    rows = [o for o in book.orders.values() if all(check(o) for check in checks)]
    keys: dict[str, Callable[[Order], Any]] = {
        "date": lambda o: o.created,
        "id": lambda o: o.id,
        "title": lambda o: o.id,
        "slug": lambda o: o.id,
    }
    return order_rows(rows, params, keys)
