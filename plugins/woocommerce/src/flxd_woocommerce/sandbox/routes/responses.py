"""Answers in WordPress's shapes: JSON through ``wp_json_encode`` with the REST server's usual
headers, and the HTML pages a WordPress site shows when it is not answering as an API."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aiohttp import web

from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.php import php_json

__all__ = ["html_page", "json_response", "not_found_page", "rest_error", "wp_die_page"]

JSON_TYPE = "application/json"


def json_response(
    data: Any,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    *,
    allow: Iterable[str] = (),
) -> web.Response:
    response = web.Response(
        body=php_json(data), status=status, content_type=JSON_TYPE, charset="UTF-8"
    )
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Access-Control-Expose-Headers"] = "X-WP-Total, X-WP-TotalPages, Link"
    allowed = list(allow)
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)
    response.headers.update(headers or {})
    return response


def rest_error(error: WpError, headers: Mapping[str, str] | None = None) -> web.Response:
    return json_response(error.body(), error.status, headers)


def html_page(title: str, body: str, status: int = 200) -> web.Response:
    page = (
        '<!DOCTYPE html>\n<html lang="en-US"><head><meta charset="UTF-8">'
        f'<title>{title}</title></head><body class="error404"><main>{body}</main></body></html>\n'
    )
    return web.Response(text=page, status=status, content_type="text/html", charset="UTF-8")


def not_found_page() -> web.Response:
    """A theme's 404: what ``/wp-json/...`` gives on a site without pretty permalinks."""
    return html_page(
        "Page not found &#8211; Sandbox Shop",
        '<h1 class="page-title">Oops! That page can&rsquo;t be found.</h1>',
        404,
    )


def wp_die_page(message: str, title: str, status: int) -> web.Response:
    """``wp_die()`` outside the REST API: an HTML page with the status."""
    return html_page(title, f'<div class="wp-die-message"><p>{message}</p></div>', status)
