"""What every collection shares: the date window (``after``/``before`` on creation,
``modified_after``/``modified_before`` on modification, site time unless ``dates_are_gmt``;
strict bounds at second resolution, see :mod:`wpdates`), ``include``/``exclude``, ``search``,
and ordering with WooCommerce's tie-break on the id."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol, TypeVar

from flxd_woocommerce.sandbox.wpdates import query_bound

__all__ = ["Dated", "date_window", "id_filters", "order_rows"]


class Dated(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def created(self) -> datetime: ...

    @property
    def modified(self) -> datetime: ...


R = TypeVar("R", bound=Dated)


def _column(moment: datetime, site_tz: tzinfo, gmt: bool) -> datetime:
    zone = UTC if gmt else site_tz
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0)


def date_window(params: Mapping[str, Any], site_tz: tzinfo) -> Callable[[Dated], bool]:
    gmt = bool(params.get("dates_are_gmt", False))
    bounds: list[tuple[str, bool, datetime]] = []
    for name, field, after in (
        ("after", "created", True),
        ("before", "created", False),
        ("modified_after", "modified", True),
        ("modified_before", "modified", False),
    ):
        text = params.get(name)
        if isinstance(text, str):
            bound = query_bound(text, site_tz)
            if bound is not None:
                bounds.append((field, after, bound))

    def keep(row: Dated) -> bool:
        for field, after, bound in bounds:
            value = _column(getattr(row, field), site_tz, gmt)
            if (after and not value > bound) or (not after and not value < bound):
                return False
        return True

    return keep


def id_filters(params: Mapping[str, Any]) -> Callable[[Dated], bool]:
    include = {int(i) for i in params.get("include") or []}
    exclude = {int(i) for i in params.get("exclude") or []}

    def keep(row: Dated) -> bool:
        return (not include or row.id in include) and row.id not in exclude

    return keep


def order_rows(
    rows: Sequence[R],
    params: Mapping[str, Any],
    keys: Mapping[str, Callable[[R], Any]],
) -> list[R]:
    """Sort by ``orderby`` (``include`` keeps the include list's order), ties by id."""
    orderby = str(params.get("orderby", "date"))
    descending = str(params.get("order", "desc")) == "desc"
    if orderby == "include" and params.get("include"):
        position = {int(i): n for n, i in enumerate(params["include"])}
        return sorted(rows, key=lambda r: position.get(r.id, len(position)))
    key = keys.get(orderby) or keys["date"]
    return sorted(rows, key=lambda r: (key(r), r.id), reverse=descending)
