"""The one error type domain code raises; the HTTP layer renders it in the API's own shape
(a V3 ``{"status","title","type","errors"}`` object, a V2 ``[{"status","message"}]`` array, or an
Inventory ``application/problem+json`` document)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["ApiError", "BatchError"]

STATUS_TITLES: Mapping[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "The requested resource was not found.",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    422: "JSON data is missing or invalid",
    429: "Too many requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """A request BigCommerce would refuse: HTTP status, a human title, per-field details."""

    def __init__(
        self,
        status: int,
        title: str | None = None,
        errors: Mapping[str, str] | None = None,
        *,
        errors_as_list: bool = False,
    ) -> None:
        self.status = status
        self.title = title or STATUS_TITLES.get(status, "Error")
        self.errors: Mapping[str, str] = dict(errors or {})
        # A few endpoints (order metafields' 404) document ``errors`` as an array of messages.
        self.errors_as_list = errors_as_list
        super().__init__(f"{status} {self.title}")

    @classmethod
    def not_found(cls, what: str) -> ApiError:
        return cls(404, f"{what} not found. The requested resource was not found.")

    @classmethod
    def invalid(cls, errors: Mapping[str, str], title: str | None = None) -> ApiError:
        return cls(422, title or STATUS_TITLES[422], errors)


class BatchError(ApiError):
    """A batch where some items failed: rendered as 422 ``{"batch_errors": [...]}``."""

    def __init__(self, failures: Sequence[ApiError]) -> None:
        super().__init__(422, "Batch failed", {})
        self.failures = tuple(failures)
