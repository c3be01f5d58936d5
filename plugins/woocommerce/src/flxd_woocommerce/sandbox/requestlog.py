"""Every REST request a store received, with what the store's argument check found in it.

This is the proof a client's tests lean on: after exercising a client against the sandbox,
``sandbox.requests(store).assert_valid()`` fails (listing each) if any request broke its
route's argument schema the way WordPress checks it — whether the store refused it (400
``rest_invalid_param`` / ``rest_missing_callback_param``), or it was a batch item WordPress
itself lets through unchecked. Requests that never reached a route (a wrong path, a fault
served instead of the answer, a busy server's refusal) carry no problems; their ``status``
says what happened. :mod:`flxd_woocommerce.sandbox.contract` checks the same entries against
WooCommerce's published route index instead of the store's own schemas.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flxd_woocommerce.sandbox.php import QueryValue

__all__ = ["LoggedRequest", "RequestLog"]

_BOUND = 20_000
_SECRET_PARAMS = frozenset({"consumer_secret", "oauth_signature"})


@dataclass(slots=True, kw_only=True)
class LoggedRequest:
    seq: int
    at: datetime
    store: str
    method: str
    path: str
    """The URL path as sent (``/stores/shop1/wp-json/wc/v3/products``)."""
    rest_route: str | None = None
    """The REST route asked for (``/wc/v3/products/12``), from the path or ``?rest_route=``."""
    route: str | None = None
    """The route pattern it matched (``/wc/v3/products/(?P<id>[\\d]+)``), None if none did."""
    query: dict[str, QueryValue] = field(default_factory=dict)
    """``$_GET`` as PHP parsed it; secrets replaced by ``[redacted]``."""
    body: Any = None
    """The JSON body (None when there was none or it was not sent as JSON)."""
    auth: str | None = None
    """``basic``, ``basic-query`` or ``oauth1`` when a key authenticated the request."""
    status: int = 0
    code: str | None = None
    """The error code of an error answer (``rest_invalid_param``, ...)."""
    problems: list[str] = field(default_factory=list)
    """Schema violations, WordPress's wording; empty when the request was valid."""
    fault: str | None = None
    """The injected fault this request got, if any."""

    @property
    def valid(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        return f"#{self.seq} {self.method} {self.rest_route or self.path} -> {self.status}"


class RequestLog:
    """The most recent requests of one store (up to 20,000), oldest first."""

    def __init__(self) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=_BOUND)
        self._seq = 0

    def start(self, *, at: datetime, store: str, method: str, path: str) -> LoggedRequest:
        self._seq += 1
        entry = LoggedRequest(seq=self._seq, at=at, store=store, method=method, path=path)
        self._entries.append(entry)
        return entry

    @staticmethod
    def redact(query: dict[str, QueryValue]) -> dict[str, QueryValue]:
        return {k: ("[redacted]" if k in _SECRET_PARAMS else v) for k, v in query.items()}

    @property
    def entries(self) -> list[LoggedRequest]:
        return list(self._entries)

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def problems(self) -> list[str]:
        """One line per problem: ``#12 POST /wc/v3/products -> 400: per_page is not ...``."""
        return [f"{e.describe()}: {p}" for e in self._entries for p in e.problems]

    def assert_valid(self) -> None:
        """Raise AssertionError listing every request that broke its route's schema."""
        problems = self.problems()
        if problems:
            raise AssertionError(
                f"{len(problems)} invalid request(s) sent to the WooCommerce sandbox:\n"
                + "\n".join(problems)
            )

    def clear(self) -> None:
        self._entries.clear()
