"""WooCommerce's error answers as flxd errors, keeping what WordPress said.

WordPress answers an error with `{"code": "woocommerce_rest_…", "message": …, "data":
{"status": …}}`; each class here is a subclass of the flxd error that says what happens next
(retry, pause the connection, fail the run, skip the record), so operations catch the specific
ones they handle (a 404 for a product deleted behind flxd's back, a 400 for a duplicate SKU).
"""

from __future__ import annotations

from flxd.plugin import AuthError, ChannelError, PermanentError, TransientError

__all__ = [
    "BadRequest",
    "KeyRejected",
    "NoApi",
    "NotFound",
    "ServerError",
    "TooLarge",
    "WooProblem",
]


class WooProblem(ChannelError):
    """Mixin data: the HTTP status and WordPress's error code and message."""

    def __init__(self, message: str, *, status: int, code: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.detail = detail
        """WordPress's message, as text."""


class BadRequest(WooProblem, PermanentError):
    """400: an invalid parameter, a duplicate SKU, an unknown id in an update."""


class KeyRejected(WooProblem, AuthError):
    """401/403: the key is unknown, revoked, lacks a permission (a read-only key writing), or
    its user may not do this."""


class NotFound(WooProblem, PermanentError):
    """404 with WordPress's JSON: no such resource (or route)."""


class NoApi(WooProblem, PermanentError):
    """A 404 that is not WordPress's JSON: no WooCommerce REST API at this address (a wrong
    url, or a site without pretty permalinks)."""


class TooLarge(WooProblem, PermanentError):
    """413: more than 100 items in a batch."""


class ServerError(WooProblem, TransientError):
    """5xx: PHP failed, the host is overloaded or down; worth retrying later."""

    kind = "server_error"
