"""The one error type the emulated store raises: a ``WP_Error`` as the REST API renders it,
``{"code": ..., "message": ..., "data": {"status": ..., ...}}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["WpError", "invalid_id", "no_route"]


class WpError(Exception):
    """``code`` is WordPress's or WooCommerce's own (``rest_invalid_param``,
    ``woocommerce_rest_product_invalid_id``, ``product_invalid_sku``...); ``data`` adds keys
    next to ``status`` (``params``, ``details``, ``resource_id``)."""

    def __init__(
        self, status: int, code: str, message: str, data: Mapping[str, Any] | None = None
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.data: dict[str, Any] = dict(data or {})
        super().__init__(f"{status} {code}: {message}")

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }


def no_route() -> WpError:
    return WpError(404, "rest_no_route", "No route was found matching the URL and request method.")


def invalid_id(post_type: str, status: int = 404) -> WpError:
    """WooCommerce's ``woocommerce_rest_<post type>_invalid_id`` (404 on read and delete, 400
    on update, as its CRUD controller answers)."""
    return WpError(status, f"woocommerce_rest_{post_type}_invalid_id", "Invalid ID.")
