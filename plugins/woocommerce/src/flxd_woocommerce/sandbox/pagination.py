"""Pages the way WooCommerce's CRUD controller serves them: ``X-WP-Total``, ``X-WP-TotalPages``
and a ``Link`` header with ``prev``/``next`` only (never ``first``/``last``, whatever the
introduction says).

The Link URLs repeat every query parameter of the request, credentials included
(``consumer_key``/``consumer_secret``, ``oauth_*``), because WooCommerce builds them with
``add_query_arg($request->get_query_params(), ...)``. That call inserts the already-decoded
values unencoded and the second ``add_query_arg`` (for ``page``) decodes them once more, so a
value with ``+``, ``%`` or ``&`` does not survive the round trip (a ``+00:00`` offset comes back
as a space): build page URLs yourself rather than follow Link blindly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from flxd_woocommerce.sandbox.php import QueryValue, build_query, parse_query

__all__ = ["Page", "page_headers", "paginate"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    total_pages: int
    page: int


def paginate(rows: Sequence[T], *, page: int, per_page: int, offset: int | None) -> Page[T]:
    start = offset if offset is not None else (page - 1) * per_page
    start = max(0, start)
    total = len(rows)
    return Page(
        items=rows[start : start + per_page],
        total=total,
        total_pages=math.ceil(total / per_page) if per_page else 0,
        page=page,
    )


def _raw_pairs(params: Mapping[str, QueryValue], prefix: str = "") -> list[str]:
    pairs: list[str] = []
    for key, value in params.items():
        name = f"{prefix}%5B{key}%5D" if prefix else key
        if isinstance(value, list):
            pairs += _raw_pairs({str(i): v for i, v in enumerate(value)}, name)
        elif isinstance(value, dict):
            pairs += _raw_pairs(value, name)
        else:
            pairs.append(f"{name}={value}")
    return pairs


def _page_link(base_url: str, query: Mapping[str, QueryValue], page: int) -> str:
    path, _, existing = base_url.partition("?")
    raw = "&".join(p for p in [existing, *_raw_pairs(query)] if p)
    params = parse_query(raw)
    params["page"] = str(page)
    return f"{path}?{build_query(params)}"


def page_headers(page: Page[T], base_url: str, query: Mapping[str, QueryValue]) -> dict[str, str]:
    headers = {"X-WP-Total": str(page.total), "X-WP-TotalPages": str(page.total_pages)}
    links = []
    if page.page > 1:
        previous = min(page.page - 1, page.total_pages)
        links.append(f'<{_page_link(base_url, query, previous)}>; rel="prev"')
    if page.total_pages > page.page:
        links.append(f'<{_page_link(base_url, query, page.page + 1)}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    return headers
