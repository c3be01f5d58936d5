"""Which orders ``GET /v2/orders`` and ``/v2/orders/count`` return (D:OV2#L1246-1380).

V2 has its own filter names (``min_id``, ``min_date_modified``, ``status_id``, ...) and sorts with
``sort=field:direction``. Date filters accept RFC-2822, ISO-8601 or Unix seconds; they include
their bound, or -- under the pessimistic ``exclusive_v2_date_bounds`` -- exclude it, compared at
whole seconds. Orders still inside their listing lag are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flxd_bigcommerce.sandbox.dates import DateParseError, parse_filter_date, whole_seconds
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.orders.book import OrderBook
from flxd_bigcommerce.sandbox.orders.records import Order
from flxd_bigcommerce.sandbox.orders.statuses import INCOMPLETE

__all__ = ["ORDER_SORTS", "select_orders"]

ORDER_SORTS: Mapping[str, Callable[[Order], Any]] = {
    "id": lambda o: o.id,
    "customer_id": lambda o: o.customer_id,
    "date_created": lambda o: o.date_created,
    "date_modified": lambda o: o.date_modified,
    "status_id": lambda o: o.status_id,
    "channel_id": lambda o: o.channel_id,
    "external_id": lambda o: o.external_order_id,
}

_FILTER_NAMES = frozenset(
    {
        "min_id",
        "max_id",
        "min_total",
        "max_total",
        "customer_id",
        "email",
        "status_id",
        "cart_id",
        "payment_method",
        "min_date_created",
        "max_date_created",
        "min_date_modified",
        "max_date_modified",
        "channel_id",
        "external_order_id",
        "is_deleted",
    }
)


def _bad(name: str, raw: str) -> ApiError:
    return ApiError(400, f"The filter '{name}' has an invalid value '{raw}'.")


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise _bad(name, raw) from None


def _predicate(name: str, raw: str, now: datetime, exclusive: bool) -> Callable[[Order], bool]:
    if name in ("min_id", "max_id", "customer_id", "status_id", "channel_id"):
        value = _int(name, raw)
        return {
            "min_id": lambda o: o.id >= value,
            "max_id": lambda o: o.id <= value,
            "customer_id": lambda o: o.customer_id == value,
            "status_id": lambda o: o.status_id == value,
            "channel_id": lambda o: o.channel_id == value,
        }[name]
    if name in ("min_total", "max_total"):
        try:
            total = Decimal(raw)
        except InvalidOperation:
            raise _bad(name, raw) from None
        if name == "min_total":
            return lambda o: o.total_inc_tax >= total
        return lambda o: o.total_inc_tax <= total
    if name.endswith(("_date_created", "_date_modified")):
        try:
            moment = parse_filter_date(raw, now=now)
        except DateParseError:
            raise _bad(name, raw) from None
        attr = "date_created" if name.endswith("created") else "date_modified"
        if exclusive:
            bound = whole_seconds(moment)
            if name.startswith("min_"):
                return lambda o: getattr(o, attr) > bound
            return lambda o: getattr(o, attr) < bound
        if name.startswith("min_"):
            return lambda o: getattr(o, attr) >= moment
        return lambda o: getattr(o, attr) <= moment
    if name == "is_deleted":
        deleted = raw.lower() in ("true", "1")
        return lambda o: o.is_deleted == deleted
    if name == "email":
        return lambda o: o.billing_address.email.casefold() == raw.casefold()
    if name == "cart_id":
        return lambda o: o.cart_id == raw
    if name == "payment_method":
        return lambda o: o.payment_method == raw
    return lambda o: o.external_order_id == raw


def _parse_sort(raw: str | None) -> tuple[str, bool]:
    field, _, direction = (raw or "id").partition(":")
    direction = direction or "asc"
    if field not in ORDER_SORTS or direction not in ("asc", "desc"):
        raise ApiError(400, f"The sort '{raw}' is not supported.")
    return field, direction == "desc"


def select_orders(
    book: OrderBook,
    query: Mapping[str, str],
    *,
    now: datetime,
    include_incomplete: bool = False,
) -> Sequence[int]:
    """Order ids matching the query, in the requested order.

    Archived orders are left out unless ``is_deleted=true``; incomplete orders (status 0) unless
    ``status_id=0`` asks for them (or ``include_incomplete``); orders inside their listing lag
    always (call ``book.settle()`` first).
    """
    field, descending = _parse_sort(query.get("sort"))
    filters = {k: v for k, v in query.items() if k in _FILTER_NAMES}
    unlisted = book.unlisted
    if not filters and field == "id" and not include_incomplete:
        ids = book.listed_ids()
        if unlisted:
            ids = [i for i in ids if i not in unlisted]
        return ids[::-1] if descending else ids
    exclusive = book.behaviour.active.exclusive_v2_date_bounds
    predicates = [_predicate(k, v, now, exclusive) for k, v in filters.items()]
    if unlisted:
        predicates.append(lambda o: o.id not in unlisted)
    if "is_deleted" not in filters:
        predicates.append(lambda o: not o.is_deleted)
    if "status_id" not in filters and not include_incomplete:
        predicates.append(lambda o: o.status_id != INCOMPLETE)
    orders = [o for o in book.orders.values() if all(p(o) for p in predicates)]
    key = ORDER_SORTS[field]
    orders.sort(key=lambda o: (key(o), o.id), reverse=descending)
    return [o.id for o in orders]
