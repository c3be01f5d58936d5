"""Pieces the resource routes share: path and context arguments, list answers with pagination
headers (``per_page`` cut down in ``pessimistic``), the ``Location`` of a created resource."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flxd_woocommerce.sandbox.pagination import page_headers, paginate
from flxd_woocommerce.sandbox.routes.endpoint import Args, Call, RestResponse

__all__ = ["CONTEXT", "ID", "created", "forced", "listed"]

T = TypeVar("T")
ID: dict[str, Any] = {"type": "integer"}
CONTEXT: dict[str, Any] = {"type": "string", "enum": ["view", "edit"], "default": "view"}
FORCE: Args = {"force": {"type": "boolean", "default": False}}


def listed(
    call: Call, rows: Sequence[T], render: Callable[[T], Any], collection_route: str
) -> RestResponse:
    call.store.serve_page(collection_route)
    per_page = call.store.effective_per_page(int(call.params.get("per_page", 10)))
    offset = call.params.get("offset")
    page = paginate(
        rows,
        page=int(call.params.get("page", 1)),
        per_page=per_page,
        offset=int(offset) if offset is not None else None,
    )
    headers = page_headers(page, call.site.rest_url(collection_route), call.query)
    return RestResponse([render(row) for row in page.items], headers=headers)


def created(call: Call, data: dict[str, Any], route: str) -> RestResponse:
    return RestResponse(data, 201, {"Location": call.site.rest_url(route)})


def forced(call: Call) -> bool:
    return bool(call.params.get("force", False))
