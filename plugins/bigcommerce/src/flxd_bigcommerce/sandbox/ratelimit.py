"""Per-store request quotas, as BigCommerce meters them (D:RL).

Every authenticated request takes one unit of the store's quota; the quota refills when the
window that began with the window's first request ends. All clients of a store share it, which
``consume`` stands in for. Headers report what is left after the request and the milliseconds
until the refill. An optional concurrency cap answers 429 to requests beyond N in flight (an
old, now undocumented BigCommerce limit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flxd_bigcommerce.sandbox.clock import SandboxClock

__all__ = ["QuotaDecision", "StoreQuota"]


@dataclass(frozen=True, slots=True)
class QuotaDecision:
    allowed: bool
    headers: dict[str, str]


class StoreQuota:
    def __init__(
        self, quota: int | None, window_ms: int, clock: SandboxClock, concurrency: int | None
    ) -> None:
        self.quota = quota
        self.window_ms = window_ms
        self.clock = clock
        self.concurrency = concurrency
        self.in_flight = 0
        self._window_start: float | None = None
        self._used = 0

    def _roll(self) -> float:
        """Start a new window if the current one is over; returns ms left in the window."""
        now = self.clock.monotonic()
        # Milliseconds rounded to microseconds, so float noise (0.1999999 s) cannot keep a
        # window open past its end or report a millisecond too many.
        start = self._window_start
        elapsed_ms = None if start is None else round((now - start) * 1000, 3)
        if elapsed_ms is None or elapsed_ms >= self.window_ms:
            self._window_start = now
            self._used = 0
            elapsed_ms = 0.0
        return self.window_ms - elapsed_ms

    def headers(self) -> dict[str, str]:
        """The four ``X-Rate-Limit-*`` headers for the current state (none without a quota)."""
        if self.quota is None:
            return {}
        left_ms = self._roll()
        return {
            "X-Rate-Limit-Requests-Left": str(max(0, self.quota - self._used)),
            "X-Rate-Limit-Requests-Quota": str(self.quota),
            "X-Rate-Limit-Time-Reset-Ms": str(max(0, math.ceil(left_ms))),
            "X-Rate-Limit-Time-Window-Ms": str(self.window_ms),
        }

    def acquire(self) -> QuotaDecision:
        """Take one unit, or refuse with the headers a 429 carries (plus ``X-Retry-After``)."""
        if self.quota is None:
            return QuotaDecision(True, {})
        left_ms = self._roll()
        if self._used >= self.quota:
            headers = self.headers()
            headers["X-Retry-After"] = str(max(1, math.ceil(left_ms / 1000)))
            return QuotaDecision(False, headers)
        self._used += 1
        return QuotaDecision(True, self.headers())

    def consume(self, units: int) -> None:
        """Use quota as another app of the same store would."""
        if self.quota is None:
            return
        self._roll()
        self._used = min(self.quota, self._used + max(0, units))

    def enter(self) -> bool:
        """Count a request in flight; False when the concurrency cap is reached."""
        if self.concurrency is not None and self.in_flight >= self.concurrency:
            return False
        self.in_flight += 1
        return True

    def leave(self) -> None:
        self.in_flight -= 1

    def reset(self) -> None:
        self._window_start = None
        self._used = 0
