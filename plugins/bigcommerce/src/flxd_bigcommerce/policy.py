"""How BigCommerce answers: its rate-limit headers and what each status means for flxd."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flxd.plugin import ChannelError, PermanentError, QuotaReport, RateLimited, Response
from flxd_bigcommerce.errors import (
    ApiProblem,
    BadRequest,
    Conflict,
    Invalid,
    MissingScope,
    NotFound,
    ServerError,
    TokenRejected,
    TooLarge,
)

__all__ = ["BigCommercePolicy", "problem_details"]

_BY_STATUS: dict[int, type[ApiProblem]] = {
    400: BadRequest,
    401: TokenRejected,
    403: MissingScope,
    404: NotFound,
    409: Conflict,
    413: TooLarge,
    422: Invalid,
}


def _int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


class BigCommercePolicy:
    """flxd.net.http.HttpPolicy for BigCommerce (headers are case-insensitive: aiohttp's are)."""

    def quota(self, headers: Mapping[str, str]) -> QuotaReport | None:
        left = _int(headers, "X-Rate-Limit-Requests-Left")
        reset_ms = _int(headers, "X-Rate-Limit-Time-Reset-Ms")
        if left is None or reset_ms is None or left < 0 or reset_ms < 0:
            return None
        quota = _int(headers, "X-Rate-Limit-Requests-Quota")
        window_ms = _int(headers, "X-Rate-Limit-Time-Window-Ms")
        return QuotaReport(
            left=left,
            reset_after=reset_ms / 1000,
            quota=quota if quota and quota > 0 else None,
            window=window_ms / 1000 if window_ms and window_ms > 0 else None,
        )

    def classify(self, response: Response) -> ChannelError | None:
        status = response.status
        if status < 400:
            return None
        where = f"{response.method} {_path(response.url)}"
        title, fields = problem_details(response.body)
        detail = f": {title}" if title else ""
        if fields:
            detail += " (" + "; ".join(f"{k}: {v}" for k, v in sorted(fields.items())) + ")"
        if status == 429:
            reset_ms = _int(response.headers, "X-Rate-Limit-Time-Reset-Ms")
            retry_s = _int(response.headers, "X-Retry-After")
            waits = [w for w in (reset_ms and reset_ms / 1000, retry_s) if w]
            # No rate headers on a 429 means the platform is under load (API.md §4):
            # RateLimited(None) makes the retry policy back off exponentially.
            return RateLimited(
                f"{where}: 429 too many requests", retry_after=max(waits) if waits else None
            )
        if status >= 500 and status != 507:  # 507: a plan limit (e.g. product count), not an outage
            return ServerError(
                f"{where}: {status}{detail}", status=status, title=title, fields=fields
            )
        kind = _BY_STATUS.get(status)
        if kind is None:
            return PermanentError(f"{where}: {status}{detail}")
        return kind(
            f"{where}: {status}{detail}",
            status=status,
            title=title,
            fields=fields,
            body=response.body,
        )


def problem_details(body: bytes) -> tuple[str, dict[str, str]]:
    """(title, field messages) from a V3 error object, a V3 batch error, or a V2 error array,
    as text the hub can store (they end up in run records, links and shipments)."""
    title, fields = _problem_details(body)
    return _storable(title), {_storable(k): _storable(v) for k, v in fields.items()}


def _storable(text: str) -> str:
    """Without NUL and unpaired surrogates (a JSON body may carry both as escapes)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _problem_details(body: bytes) -> tuple[str, dict[str, str]]:
    try:
        data: Any = json.loads(body) if body else None
    except ValueError:
        return (body[:200].decode("utf-8", "replace").strip() if body else ""), {}
    if isinstance(data, list):  # V2: [{"status": 400, "message": "…", "details": {…}}]
        messages = [str(item.get("message", "")) for item in data if isinstance(item, dict)]
        return "; ".join(m for m in messages if m), {}
    if not isinstance(data, dict):
        return "", {}
    fields: dict[str, str] = {}
    errors = data.get("errors")
    if isinstance(errors, dict) and isinstance(errors.get("errors"), dict):
        # A 207's `errors` is an error object of its own (D:PROD `errorMultiStatus`).
        data, errors = errors, errors["errors"]
    if isinstance(errors, dict):
        fields.update({str(k): _text(v) for k, v in errors.items()})
    batch = data.get("batch_errors")
    if isinstance(batch, list):
        for n, item in enumerate(batch):
            if isinstance(item, dict):
                inner = item.get("errors")
                text = (_text(inner) if inner else "") or str(item.get("title", ""))
                fields[f"[{n}]"] = text
    title = data.get("title") or data.get("detail") or data.get("error_description") or ""
    return str(title), fields


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    return str(value)


def _path(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else url
