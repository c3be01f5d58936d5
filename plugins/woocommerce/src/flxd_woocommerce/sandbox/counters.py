"""Per-store request counters: how many requests each endpoint got and with which status, so a
test can assert how a client used the API (``GET /wc/v3/products`` 4 times, no 503)."""

from __future__ import annotations

from collections import Counter

__all__ = ["RequestCounters"]


class RequestCounters:
    """Counts keyed by ``"METHOD route"``, e.g. ``"PUT /wc/v3/products/(?P<id>[\\d]+)"``;
    requests that matched no route count under ``"METHOD (no route)"``."""

    def __init__(self) -> None:
        self.by_endpoint: Counter[str] = Counter()
        self.by_status: Counter[tuple[str, int]] = Counter()

    def record(self, endpoint: str, status: int) -> None:
        self.by_endpoint[endpoint] += 1
        self.by_status[(endpoint, status)] += 1

    @property
    def total(self) -> int:
        return sum(self.by_endpoint.values())

    def snapshot(self) -> dict[str, dict[str, int]]:
        """``{endpoint: {"total": n, "<status>": n, ...}}`` for the control API."""
        out: dict[str, dict[str, int]] = {}
        for endpoint, count in sorted(self.by_endpoint.items()):
            out[endpoint] = {"total": count}
        for (endpoint, status), count in self.by_status.items():
            out[endpoint][str(status)] = count
        return out

    def reset(self) -> None:
        self.by_endpoint.clear()
        self.by_status.clear()
