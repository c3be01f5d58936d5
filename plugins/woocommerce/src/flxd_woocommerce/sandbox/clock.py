"""The sandbox's sense of time.

Every stamp (``date_created``, ``date_modified``, webhook delivery times, OAuth timestamp windows)
and every wait (a busy server's latency, a slow fault, a late webhook) goes through one clock
object. :class:`flxd.testing.clock.FakeClock` satisfies :class:`SandboxClock`, so tests freeze
dates and decide when a held answer comes back without sleeping; :class:`SystemClock` (the
default) is the real-time mode.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

import anyio

__all__ = ["SandboxClock", "SystemClock"]


class SandboxClock(Protocol):
    def now(self) -> datetime:
        """Wall-clock time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; only differences mean anything."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (cancellable)."""
        ...


class SystemClock:
    """Real time: answers held for a busy server's latency really take that long."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(max(0.0, seconds))
