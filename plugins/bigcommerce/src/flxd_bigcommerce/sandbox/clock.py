"""The sandbox's sense of time.

Every stamp (``date_created``, ``date_modified``, ``/v2/time``, webhook ``created_at``, OAuth code
expiry) and every rate-limit window is read from a clock object, so tests freeze dates and move
quota windows on without sleeping. flxd's clocks (:class:`flxd.clock.SystemClock`, the default,
and :class:`flxd.testing.clock.FakeClock` for tests) satisfy :class:`SandboxClock`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from flxd.plugin import SystemClock

__all__ = ["SandboxClock", "SystemClock"]


class SandboxClock(Protocol):
    def now(self) -> datetime:
        """Wall-clock time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; only differences mean anything."""
        ...
