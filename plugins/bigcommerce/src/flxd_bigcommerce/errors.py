"""BigCommerce's error responses as flxd errors, keeping what BigCommerce said.

Each class is a subclass of the flxd error that says what happens next (retry, pause the
connection, fail the run, skip the record); operations catch the specific ones they handle
(a 404 for a product deleted behind flxd's back, a 409 for a duplicate SKU).
"""

from __future__ import annotations

from collections.abc import Mapping

from flxd.plugin import AuthError, ChannelError, PermanentError, TransientError

__all__ = [
    "ApiProblem",
    "BadRequest",
    "Conflict",
    "Invalid",
    "MissingScope",
    "NotFound",
    "ServerError",
    "TokenRejected",
    "TooLarge",
]


class ApiProblem(ChannelError):
    """Mixin data: the HTTP status, BigCommerce's title and its per-field messages."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        title: str = "",
        fields: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.fields = dict(fields or {})
        self.body = body
        """The answer as sent (a batch's 422 lists what it did save)."""


class BadRequest(ApiProblem, PermanentError):
    """400: the request was malformed (V2 uses it for invalid shipments, among others)."""


class TokenRejected(ApiProblem, AuthError):
    """401: the access token is missing, wrong or revoked."""


class MissingScope(ApiProblem, AuthError):
    """403: the token is valid but lacks the scope this endpoint needs."""


class NotFound(ApiProblem, PermanentError):
    """404: the resource (or the store) does not exist."""


class Conflict(ApiProblem, PermanentError):
    """409: a duplicate unique value (SKU, product name) or another conflicting reference."""


class TooLarge(ApiProblem, PermanentError):
    """413: more items in a batch, or a larger page, than BigCommerce allows."""


class Invalid(ApiProblem, PermanentError):
    """422: missing or invalid fields; `fields` says which."""


class ServerError(ApiProblem, TransientError):
    """5xx: BigCommerce failed or the store is down for maintenance; worth retrying later."""

    kind = "server_error"
