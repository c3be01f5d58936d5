"""Response bodies in BigCommerce's shapes: V3 ``{"data","meta"}`` objects, V2 bare arrays with
204 for an empty list, and each API's error document."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from aiohttp import web

from flxd_bigcommerce.sandbox.catalog.serialize import dumps
from flxd_bigcommerce.sandbox.errors import ApiError, BatchError

__all__ = [
    "ERROR_TYPE",
    "Api",
    "error_response",
    "json_response",
    "no_content",
    "v2_list",
    "v3_data",
    "v3_page",
]

Api = Literal["v2", "v3", "inventory"]
ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
JSON = "application/json"


def json_response(
    body: bytes | Any, status: int = 200, *, content_type: str = JSON
) -> web.Response:
    payload = body if isinstance(body, bytes) else dumps(body)
    return web.Response(body=payload, status=status, content_type=content_type)


def no_content() -> web.Response:
    return web.Response(status=204)


def v3_data(data: Any, *, status: int = 200, meta: Mapping[str, Any] | None = None) -> web.Response:
    return json_response({"data": data, "meta": dict(meta or {})}, status)


def v3_page(items: Iterable[bytes], meta: Mapping[str, Any]) -> web.Response:
    """A V3 collection from already-serialized items (the cached fast path)."""
    body = b'{"data":[' + b",".join(items) + b'],"meta":' + dumps(meta) + b"}"
    return json_response(body)


def v2_list(items: list[bytes]) -> web.Response:
    """V2 answers an empty list with 204 and no body (PY connection.py#L151-163)."""
    if not items:
        return no_content()
    return json_response(b"[" + b",".join(items) + b"]")


def _v3_error(error: ApiError) -> dict[str, Any]:
    errors: Any = dict(error.errors)
    if error.errors_as_list:
        errors = [f"{k}: {v}" for k, v in error.errors.items()]
    return {"status": error.status, "title": error.title, "type": ERROR_TYPE, "errors": errors}


def error_response(
    error: ApiError, api: Api, headers: Mapping[str, str] | None = None
) -> web.Response:
    if isinstance(error, BatchError):
        body: Any = {"batch_errors": [_v3_error(f) for f in error.failures]}
        response = json_response(body, error.status)
    elif api == "v2":
        details = "; ".join(f"{k}: {v}" for k, v in error.errors.items())
        message = f"{error.title} ({details})" if details else error.title
        response = json_response([{"status": error.status, "message": message}], error.status)
    elif api == "inventory" and error.status == 422:
        # The Inventory API's 422 is a problem document (D:INV, 422 response).
        response = json_response(
            _v3_error(error), error.status, content_type="application/problem+json"
        )
    else:
        response = json_response(_v3_error(error), error.status)
    response.headers.update(headers or {})
    return response
