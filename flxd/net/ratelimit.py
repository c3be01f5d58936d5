"""One limiter per connection (per store), shared by all its operations.

It keeps a concurrency cap and spends the store's quota as the server reports it: every response
says how many requests are left in the window and when the window refills. The limiter counts
down locally between responses, trusts the smaller of its own count and the server's (another
app on the same store spends the same quota), and waits for the refill instead of running into
429s. After a 429 everyone on the connection waits, not just the request that got it.

A request of a background class (the reconciliation pass) asks for a `share`: such requests
take at most that fraction of the quota in any window's length of time, and of the places in
flight, so the connection's other requests (get_orders) always have the rest. They wait for
their share before taking a place in flight, so a waiting background request never holds one.

How many requests are in flight at once is its `Concurrency` (flxd.net.concurrency): a fixed
number, or adaptive for a store whose only limit is its server.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from math import floor

import anyio

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
        self._shared_sent: deque[float] = deque()  # when share-limited requests were let go
        self._shared_in_flight = 0
        self._shared_freed = anyio.Event()
        self.stats = LimiterStats()
        self.admit = admit
        """Called when a request has its turn, right before it is sent; raising stops it.
        With several nodes: whether this node still holds the connection's lease, checked
        after any wait for quota (flxd.cluster.leases.LeaseManager.admit)."""

    @asynccontextmanager
    async def slot(self, *, share: float | None = None) -> AsyncIterator[int]:
        """Hold one request's place: a concurrency slot and a unit of quota. Yields a ticket
        to pass to `observe` with what the response reported. With `share` (0 < share <= 1)
        the request is of a background class: it first waits until such requests have used
        less than that share of the quota over the last window and of the places in flight."""
        if share is None:
            async with self._place() as ticket:
                yield ticket
            return
        await self._share_turn(share)
        self._shared_sent.append(self._clock.monotonic())
        self._shared_in_flight += 1
        try:
            async with self._place() as ticket:
                yield ticket
        finally:
            self._shared_in_flight -= 1
            self._shared_freed.set()
            self._shared_freed = anyio.Event()

    async def _share_turn(self, share: float) -> None:
        """Wait, holding nothing, until a request of a `share`-limited class may go."""
        while True:
            if self._shared_in_flight >= max(1, floor(share * self.concurrency.limit)):
                await self._shared_freed.wait()
                continue
            if self._quota is None or not self._window:
                return  # no quota known (yet, or ever): only the places in flight are shared
            now = self._clock.monotonic()
            while self._shared_sent and self._shared_sent[0] + self._window <= now:
                self._shared_sent.popleft()
            if len(self._shared_sent) < max(1, floor(share * self._quota)):
                return
            wait = self._shared_sent[0] + self._window - now + self._margin
            self.stats.waited += wait
            await self._clock.sleep(wait)

    @asynccontextmanager
    async def _place(self) -> AsyncIterator[int]:
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
