"""How a WooCommerce site answers: WordPress's error objects, and a host's own pages.

WooCommerce has no request quota and sends no rate-limit headers: the limit is the site's
server, and core adapts the requests in flight to it (ChannelType.concurrency = "adaptive").
What an overloaded host sends: a 503 or 429 with `Retry-After` (wait that long: the request
was refused before PHP ran it), a 429 without it, a 502/504 from the proxy in front, a 500
from PHP. A 200 that is not JSON (a caching or security layer's page) is retried like a
truncated answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flxd.plugin import (
    ChannelError,
    PermanentError,
    QuotaReport,
    RateLimited,
    Response,
    TransientError,
)
from flxd_woocommerce.errors import (
    BadRequest,
    KeyRejected,
    NoApi,
    NotFound,
    ServerError,
    TooLarge,
    WooProblem,
)

__all__ = ["WooCommercePolicy", "error_details", "retry_after"]

_BY_STATUS: dict[int, type[WooProblem]] = {
    400: BadRequest,
    401: KeyRejected,
    403: KeyRejected,
    404: NotFound,
    413: TooLarge,
}


def retry_after(headers: Mapping[str, str]) -> float | None:
    """`Retry-After` in seconds (delay form; an HTTP date is not worth trusting a host's clock
    for), None when absent or unreadable."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 3600 else None


def error_details(body: bytes) -> tuple[str, str]:
    """(code, message) of a WordPress error object, as text the hub can keep; ("", "") when
    the body is not one."""
    try:
        data: Any = json.loads(body) if body else None
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    code, message = data.get("code"), data.get("message")
    return _storable(code if isinstance(code, str) else ""), _storable(
        message if isinstance(message, str) else ""
    )


def _storable(text: str) -> str:
    """Without NUL and unpaired surrogates, at most 500 characters."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")[:500]


def _json(response: Response) -> bool:
    return "json" in response.headers.get("Content-Type", "")


class WooCommercePolicy:
    """flxd.net.http.HttpPolicy for WooCommerce (aiohttp's headers are case-insensitive)."""

    def quota(self, headers: Mapping[str, str]) -> QuotaReport | None:
        return None  # no quota: the server's capacity is learnt from latency and refusals

    def classify(self, response: Response) -> ChannelError | None:
        status = response.status
        where = f"{response.method} {_path(response.url)}"
        if status < 300:
            if response.body and not _json(response):
                return TransientError(
                    f"{where}: {status} answered with "
                    f"{response.headers.get('Content-Type') or 'no content type'}, not JSON "
                    "(a caching or security page in front of the site?)",
                    kind="not_json",
                )
            return None
        if status < 400:
            return PermanentError(
                f"{where}: {status} redirect to {response.headers.get('Location', '?')} "
                "(is url the site's address exactly, https and www included?)"
            )
        code, message = error_details(response.body)
        detail = f": {code}: {message}" if code else ""
        wait = retry_after(response.headers)
        if status == 429 or (status == 503 and wait is not None):
            return RateLimited(f"{where}: {status} the site is busy{detail}", retry_after=wait)
        if status >= 500 and status != 501:
            return ServerError(
                f"{where}: {status}{detail}", status=status, code=code, detail=message
            )
        if status == 404 and not code:
            return NoApi(
                f"{where}: 404 without WordPress's answer: no WooCommerce REST API here (a wrong "
                "url, or pretty permalinks off: Settings > Permalinks)",
                status=status,
            )
        if status == 501:
            return PermanentError(
                f"{where}: 501 the server does not take this method (a ModSecurity rule?)"
            )
        kind = _BY_STATUS.get(status)
        if kind is None:
            return PermanentError(f"{where}: {status}{detail}")
        return kind(f"{where}: {status}{detail}", status=status, code=code, detail=message)


def _path(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else url
