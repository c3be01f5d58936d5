"""A clock that only moves when a test moves it."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import anyio
import anyio.lowlevel

__all__ = ["FakeClock"]

# Checkpoints given to woken tasks after each wake-up, so a task that sleeps again right away
# registers its next deadline before time moves on.
_SETTLE_ROUNDS = 20


class FakeClock:
    """Implements flxd.clock.Clock. `sleep` waits until the test moves time past it.

    Synchronise with `wait_for_sleepers(n)` before `advance`, or let `autojump` move time
    whenever every busy task is asleep.
    """

    def __init__(self, start: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> None:
        self._start = start
        self._elapsed = 0.0
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._order = itertools.count()
        self._changed: anyio.Event | None = None

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return self._elapsed

    @property
    def sleepers(self) -> int:
        """How many tasks are waiting in `sleep`."""
        return len(self._sleepers)

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await anyio.lowlevel.checkpoint()
            return
        event = anyio.Event()
        heapq.heappush(self._sleepers, (self._elapsed + seconds, next(self._order), event))
        self.notify()
        await event.wait()

    def notify(self) -> None:
        """Tell waiters that something changed (a task finished without sleeping again)."""
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def _wait_change(self) -> None:
        if self._changed is None:
            self._changed = anyio.Event()
        await self._changed.wait()

    async def wait_for_sleepers(self, count: int) -> None:
        """Return once at least `count` tasks are asleep on this clock."""
        while len(self._sleepers) < count:
            await self._wait_change()

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking sleepers in deadline order."""
        target = self._elapsed + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            self._wake_earliest()
            for _ in range(_SETTLE_ROUNDS):
                await anyio.lowlevel.checkpoint()
        self._elapsed = target

    async def autojump(self, busy: Callable[[], int]) -> float:
        """Whenever all `busy()` tasks are asleep, jump to the earliest deadline; return when
        `busy()` is 0 (busy tasks call `notify()` as they finish). Returns the time passed."""
        start = self._elapsed
        while (count := busy()) > 0:
            if len(self._sleepers) >= count:
                self._wake_earliest()
                await anyio.lowlevel.checkpoint()
            else:
                await self._wait_change()
        return self._elapsed - start

    def _wake_earliest(self) -> None:
        deadline = self._sleepers[0][0]
        self._elapsed = max(self._elapsed, deadline)
        while self._sleepers and self._sleepers[0][0] <= deadline:
            heapq.heappop(self._sleepers)[2].set()
