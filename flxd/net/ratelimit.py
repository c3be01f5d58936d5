"""One limiter per connection (per store), shared by all its operations.

It keeps a concurrency cap and spends the store's quota as the server reports it: every response
says how many requests are left in the window and when the window refills. The limiter counts
down locally between responses, trusts the smaller of its own count and the server's (another
app on the same store spends the same quota), and waits for the refill instead of running into
429s. After a 429 everyone on the connection waits, not just the request that got it.

How many requests are in flight at once is its `Concurrency` (flxd.net.concurrency): a fixed
number, or adaptive for a store whose only limit is its server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from flxd.clock import Clock
from flxd.net.concurrency import Concurrency, FixedConcurrency

__all__ = ["Limiter", "LimiterStats", "QuotaReport"]


@dataclass(frozen=True, slots=True)
class QuotaReport:
    """What one response said about the quota (a plugin parses it from the headers)."""

    left: int
    reset_after: float
    """Seconds until the window refills."""
    quota: int | None = None
    window: float | None = None


@dataclass(slots=True)
class LimiterStats:
    requests: int = 0
    throttled: int = 0  # 429s seen
    waited: float = 0.0  # seconds spent waiting for quota or a 429 penalty
    quota: int | None = None
    left: int | None = None


class Limiter:
    def __init__(
        self,
        clock: Clock,
        *,
        max_concurrency: int = 3,
        margin: float = 0.02,
        admit: Callable[[], None] | None = None,
        concurrency: Concurrency | None = None,
    ) -> None:
        self._clock = clock
        self.max_concurrency = max_concurrency
        self.concurrency = concurrency or FixedConcurrency(max_concurrency)
        """How many requests may be in flight (at most `max_concurrency`)."""
        self._margin = margin  # seconds past the reported refill before trusting it happened
        self._left: int | None = None  # None: nothing known yet, let requests through to learn
        self._quota: int | None = None
        self._window: float | None = None
        self._reset_at = 0.0
        self._blocked_until = 0.0
        self._issued = 0
        self.stats = LimiterStats()
        self.admit = admit
        """Called when a request has its turn, right before it is sent; raising stops it.
        With several nodes: whether this node still holds the connection's lease, checked
        after any wait for quota (flxd.cluster.leases.LeaseManager.admit)."""

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[int]:
        """Hold one request's place: a concurrency slot and a unit of quota. Yields a ticket
        to pass to `observe` with what the response reported."""
        async with self.concurrency.slot():
            await self._take()
            if self.admit is not None:
                try:
                    self.admit()
                except BaseException:
                    if self._left is not None:
                        self._left += 1  # the unit was never spent
                    raise
            self._issued += 1
            self.stats.requests += 1
            yield self._issued

    def finished(self, ticket: int, *, latency: float, overloaded: bool) -> None:
        """How request `ticket` went (for adaptive concurrency): seconds from sending to the
        answer, and whether the server was overloaded (timeout, dropped, 5xx, 429)."""
        self.concurrency.record(ticket, latest=self._issued, latency=latency, overloaded=overloaded)

    async def _take(self) -> None:
        while True:
            now = self._clock.monotonic()
            wait = self._blocked_until - now
            if wait <= 0 and self._left is not None and self._left <= 0:
                if now >= self._reset_at + self._margin and self._quota is not None:
                    self._left = self._quota  # the window has refilled
                    self._reset_at = now + (self._window or 0.0)
                else:
                    wait = self._reset_at + self._margin - now
            if wait <= 0:
                if self._left is not None:
                    self._left -= 1
                return
            self.stats.waited += wait
            await self._clock.sleep(wait)

    def observe(self, ticket: int, report: QuotaReport | None) -> None:
        """Fold in what the response to request `ticket` said about the quota."""
        if report is None:
            return
        now = self._clock.monotonic()
        reset_at = now + max(0.0, report.reset_after)
        if report.quota is not None:
            self._quota = report.quota
        if report.window is not None:
            self._window = report.window
        tolerance = max(0.05, 0.25 * (self._window or report.reset_after or 1.0))
        # Requests sent after this one may already have been counted by the server.
        later = self._issued - ticket
        estimate = report.left - later
        if self._left is None or reset_at > self._reset_at + tolerance:
            self._left = estimate  # first report, or a new window began since the last one
            self._reset_at = reset_at
        elif reset_at >= self._reset_at - tolerance:
            self._left = min(self._left, estimate)
            self._reset_at = reset_at
        # else: a late response from an older window; it says nothing about this one
        self.stats.quota = self._quota
        self.stats.left = max(0, self._left)

    def block(self, seconds: float) -> None:
        """Nobody on this connection sends for `seconds` (after a 429)."""
        self.stats.throttled += 1
        now = self._clock.monotonic()
        self._blocked_until = max(self._blocked_until, now + seconds)
        if self._left is not None:
            self._left = 0
            self._reset_at = max(self._reset_at, now + seconds - self._margin)
