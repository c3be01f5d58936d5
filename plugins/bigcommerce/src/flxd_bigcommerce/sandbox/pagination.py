"""``page``/``limit`` parsing and the V3 ``meta.pagination`` object.

``links`` are query strings as BigCommerce writes them (``"?page=2&limit=50"``), carrying the
request's other parameters so a client can follow them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from flxd_bigcommerce.sandbox.errors import ApiError

__all__ = ["PageRequest", "clamped", "parse_page", "v3_collection_meta"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    def slice(self, items: Sequence[T]) -> Sequence[T]:
        return items[self.offset : self.offset + self.limit]


def _positive(query: Mapping[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError.invalid({name: f"{name} must be an integer"}) from None
    if value < 1:
        raise ApiError.invalid({name: f"{name} must be at least 1"})
    return value


def parse_page(
    query: Mapping[str, str], *, default_limit: int = 50, max_limit: int | None = 250
) -> PageRequest:
    """413 past ``max_limit`` (D:STATUS#L48; D:QP#L5)."""
    limit = _positive(query, "limit", default_limit)
    if max_limit is not None and limit > max_limit:
        raise ApiError(
            413, f"The limit parameter is too large. The maximum allowed limit is {max_limit}."
        )
    return PageRequest(page=_positive(query, "page", 1), limit=limit)


def clamped(page: PageRequest, limit: int) -> PageRequest:
    """The page a server that serves at most ``limit`` items answers: the same page number,
    counted in pages of the smaller size (so ``page=2&limit=250`` clamped to 50 is items
    51-100, and a client that assumes 250 a page skips items)."""
    return page if page.limit <= limit else PageRequest(page=page.page, limit=limit)


def v3_collection_meta(
    total: int, page: PageRequest, count: int, query: Mapping[str, str]
) -> dict[str, Any]:
    total_pages = -(-total // page.limit)
    others = [(k, v) for k, v in query.items() if k not in ("page", "limit")]

    def link(number: int) -> str:
        rest = urlencode(others, safe=":,")
        return f"?page={number}&limit={page.limit}" + (f"&{rest}" if rest else "")

    links: dict[str, str] = {"current": link(page.page)}
    if page.page > 1:
        links["previous"] = link(page.page - 1)
    if page.page < total_pages:
        links["next"] = link(page.page + 1)
    return {
        "pagination": {
            "total": total,
            "count": count,
            "per_page": page.limit,
            "current_page": page.page,
            "total_pages": total_pages,
            "links": links,
        }
    }
