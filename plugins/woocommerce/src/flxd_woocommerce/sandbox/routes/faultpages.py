"""What a struggling WordPress host sends instead of (or around) an answer."""

from __future__ import annotations

from aiohttp import web

from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.faults import Decision, Fault
from flxd_woocommerce.sandbox.routes.responses import html_page, rest_error

__all__ = ["corrupt", "fault_answer", "gateway_timeout", "overloaded"]

_PROXY_TITLES = {
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
    504: "504 Gateway Time-out",
    429: "429 Too Many Requests",
}
PHP_NOTICE = (
    b"<br />\n<b>Notice</b>:  Function wc_get_product was called <strong>incorrectly</strong>."
    b" Please see <a>Debugging in WordPress</a> for more information. in"
    b" <b>/var/www/html/wp-includes/functions.php</b> on line <b>6085</b><br />\n"
)


def _proxy_page(status: int) -> web.Response:
    title = _PROXY_TITLES.get(status, f"{status} Error")
    return html_page(title, f"<center><h1>{title}</h1></center><hr><center>nginx</center>", status)


def fault_answer(decision: Decision) -> web.Response:
    """The answer served instead of the real one (``drop`` is handled by the gateway)."""
    if decision.fault is Fault.HTML_PAGE:
        return html_page(
            "Just a moment...",
            "<h1>Checking your browser before accessing the site.</h1>",
            200,
        )
    if decision.status == 500:
        # WordPress's fatal error handler answers REST requests with JSON.
        error = WpError(
            500,
            "internal_server_error",
            "<p>There has been a critical error on this website.</p>",
        )
        return rest_error(error)
    return _proxy_page(decision.status)


def overloaded(status: int, retry_after_s: int | None) -> web.Response:
    response = _proxy_page(status)
    if retry_after_s is not None:
        response.headers["Retry-After"] = str(retry_after_s)
    return response


def gateway_timeout() -> web.Response:
    return _proxy_page(504)


def corrupt(response: web.Response, fault: Fault) -> web.Response:
    """A real answer damaged on the way: cut in half, or with a PHP notice in front."""
    raw = response.body if isinstance(response.body, bytes) else b""
    body = PHP_NOTICE + raw if fault is Fault.PHP_NOTICE else raw[: max(1, len(raw) // 2)]
    damaged = web.Response(body=body, status=response.status)
    for name, value in response.headers.items():
        if name.lower() != "content-length":
            damaged.headers[name] = value
    return damaged
