"""How many requests a connection keeps in flight at once.

A store with a request quota (BigCommerce) says how fast to go in its headers; a fixed small
number of requests in flight is then enough (`FixedConcurrency`). A store without one
(WooCommerce: a WordPress site on its own server) has no quota to read: what limits a client
is the server, and the only signs of it are slower answers, timeouts, 5xx and 429. For such a
store `AdaptiveConcurrency` starts with one request in flight, adds one for every round of
answers that came back as fast as the fastest recently seen while the limit was in use, takes
one away when answers slow down, and halves the limit on a timeout, a 5xx or a 429 (once per
round: the requests already in flight when it halved do not halve it again). It never goes
past the connection's `max_concurrency` (the ceiling) nor below one.

Both are used by the connection's limiter (flxd.net.ratelimit.Limiter), which also keeps the
quota: one place decides when a request may leave.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import anyio

__all__ = ["AdaptiveConcurrency", "Concurrency", "FixedConcurrency"]


class Concurrency(Protocol):
    @property
    def limit(self) -> int:
        """Requests allowed in flight now."""
        ...

    @property
    def ceiling(self) -> int:
        """The most it will ever allow (the connection's `max_concurrency`)."""
        ...

    def slot(self) -> AbstractAsyncContextManager[None]:
        """Hold one place in flight."""
        ...

    def record(self, ticket: int, *, latest: int, latency: float, overloaded: bool) -> None:
        """How request `ticket` went: its `latency` in seconds, and whether the server was
        `overloaded` (timeout, dropped connection, 5xx, 429). `latest` is the newest ticket
        issued so far."""
        ...


class _Gate:
    """A semaphore whose size may change while it is held."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.busy = 0
        self._freed = anyio.Event()

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        while self.busy >= self.limit:
            await self._freed.wait()
        self.busy += 1
        try:
            yield
        finally:
            self.busy -= 1
            self.wake()

    def wake(self) -> None:
        self._freed.set()
        self._freed = anyio.Event()


class FixedConcurrency:
    """Always `limit` requests in flight at most."""

    def __init__(self, limit: int) -> None:
        self._gate = _Gate(max(1, limit))

    @property
    def limit(self) -> int:
        return self._gate.limit

    @property
    def ceiling(self) -> int:
        return self._gate.limit

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._gate.held():
            yield

    def record(self, ticket: int, *, latest: int, latency: float, overloaded: bool) -> None:
        return None


class AdaptiveConcurrency:
    """As many requests in flight as the server answers without slowing down (see the module
    docstring). `tolerance` and `slack`: an answer "holds" when its latency is at most the
    fastest recent one times `tolerance`, plus `slack` seconds (a fast server's answers vary
    by milliseconds that mean nothing). The fastest latency is forgotten every `window`
    answers, so a server that became slower for good is measured anew."""

    def __init__(
        self,
        ceiling: int,
        *,
        initial: int = 1,
        tolerance: float = 2.0,
        slack: float = 0.02,
        window: int = 100,
        probe_every: int = 500,
    ) -> None:
        self._ceiling = max(1, ceiling)
        self._gate = _Gate(min(max(1, initial), self._ceiling))
        self._tolerance = tolerance
        self._slack = slack
        self._window = window
        self._best: float | None = None
        self._window_best: float | None = None
        self._samples = 0
        self._credit = 0
        self._cut_after = 0
        """Tickets up to this one were in flight when the limit last went down."""
        self._wall: int | None = None
        """The limit at which the server was last overloaded."""
        self._since_wall = 0
        self._probe_every = probe_every
        self.increases = 0
        self.decreases = 0
        self.peak = self._gate.limit

    @property
    def limit(self) -> int:
        return self._gate.limit

    @property
    def ceiling(self) -> int:
        return self._ceiling

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._gate.held():
            yield

    def record(self, ticket: int, *, latest: int, latency: float, overloaded: bool) -> None:
        if overloaded:
            if ticket > self._cut_after:
                self._wall = self.limit
                self._since_wall = 0
                self._set(max(1, self.limit // 2), latest)
            return
        if ticket <= self._cut_after:
            return  # sent at the old limit: says nothing about the new one
        self._measure(latency)
        assert self._best is not None
        # Only answers that came back while the limit was in use prove it can grow; a run
        # sending one request at a time must not raise it to the ceiling unproven.
        in_use = self._gate.busy + 1 >= self.limit
        if latency > self._best * self._tolerance + self._slack:
            if in_use and self.limit > 1:
                self._set(self.limit - 1, latest)
            return
        self._since_wall += 1
        if self._wall is not None and self._since_wall >= self._probe_every:
            self._wall = None  # long enough without trouble: try the limit that failed again
        highest = self._ceiling if self._wall is None else min(self._ceiling, self._wall - 1)
        if not in_use or self.limit >= highest:
            return
        self._credit += 1
        if self._credit >= self.limit:  # a whole round came back in time
            self._credit = 0
            self._gate.limit += 1
            self.increases += 1
            self.peak = max(self.peak, self._gate.limit)
            self._gate.wake()

    def _measure(self, latency: float) -> None:
        self._best = latency if self._best is None else min(self._best, latency)
        self._window_best = (
            latency if self._window_best is None else min(self._window_best, latency)
        )
        self._samples += 1
        if self._samples >= self._window:
            self._best, self._window_best, self._samples = self._window_best, None, 0

    def _set(self, limit: int, latest: int) -> None:
        self._credit = 0
        self._cut_after = latest
        if limit < self._gate.limit:
            self.decreases += 1
        self._gate.limit = limit
