"""The sandbox's sense of time.

Every stamp (``date_created``, ``date_modified``, webhook delivery times, OAuth timestamp windows)
and every wait (a busy server's latency, a slow fault, a late webhook) goes through one clock
object, flxd's own: :class:`flxd.testing.clock.FakeClock` in tests, which freeze dates and decide
when a held answer comes back without sleeping; :class:`SystemClock` (the default) in real time.
"""

from __future__ import annotations

from flxd.plugin import Clock, SystemClock

__all__ = ["SandboxClock", "SystemClock"]

SandboxClock = Clock
