"""The one retry policy. Every retry in flxd happens here, bounded and logged.

- 429 with a known wait: wait that long (plus jitter) — the limiter holds the whole connection.
- 429 without headers (the platform is under load), 5xx, timeouts, dropped connections:
  exponential backoff with jitter and a cap; writes wait longer than reads.
- A write that may have reached the server is not retried here: the operation must look before
  it re-creates (a shipment pushed twice emails the customer twice).
- Everything else (auth, permanent, record errors) goes straight up.

Every failure this policy sees gets exactly one log line naming its `kind` (server_error,
timeout, dropped, invalid_json, rate_limited, rate_limited_bare, ...): "retrying", "rate
limited", "giving up", or "not retried" for a write that may have landed.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import structlog

from flxd.clock import Clock
from flxd.errors import RateLimited, TransientError
from flxd.net.ratelimit import Limiter

__all__ = ["RetryPolicy", "call_with_retry"]

T = TypeVar("T")
log = structlog.get_logger("flxd.net.retry")


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    attempts: int = 5
    """Tries in all for a request that keeps failing transiently."""
    base_delay: float = 1.0
    max_delay: float = 60.0
    write_factor: float = 2.0
    max_throttles: int = 50
    """429s tolerated for one request before the run gives up (each one waits a full window)."""

    def backoff(self, failures: int, *, write: bool, rng: random.Random) -> float:
        """Delay before retry number `failures` (1-based): exponential, capped, half jittered."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (failures - 1))
        if write:
            ceiling = min(self.max_delay * self.write_factor, ceiling * self.write_factor)
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


async def call_with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    clock: Clock,
    limiter: Limiter,
    rng: random.Random,
    idempotent: bool,
    what: str,
) -> T:
    failures = 0
    throttles = 0
    while True:
        try:
            return await call()
        except RateLimited as exc:
            throttles += 1
            if throttles > policy.max_throttles:
                log.warning(
                    "giving up", request=what, kind=exc.kind, throttles=throttles, error=str(exc)
                )
                raise
            if exc.retry_after is not None:
                wait = exc.retry_after + rng.uniform(0, min(1.0, 0.1 * exc.retry_after + 0.05))
            else:
                # No headers: BigCommerce says the platform is under load; back off exponentially.
                wait = policy.backoff(throttles, write=not idempotent, rng=rng)
            limiter.block(wait)
            log.info(
                "rate limited",
                request=what,
                kind=exc.kind,
                wait_s=round(wait, 3),
                throttles=throttles,
            )
        except TransientError as exc:
            if not (idempotent or not exc.sent):
                # The operation decides (it looks before it writes again); said here once so
                # that every failure has its line, whatever the operation makes of it.
                log.warning("not retried", request=what, kind=exc.kind, error=str(exc))
                raise
            failures += 1
            if failures >= policy.attempts:
                log.warning(
                    "giving up", request=what, kind=exc.kind, attempts=failures, error=str(exc)
                )
                raise
            wait = policy.backoff(failures, write=not idempotent, rng=rng)
            log.info(
                "retrying",
                request=what,
                kind=exc.kind,
                attempt=failures,
                wait_s=round(wait, 3),
                error=str(exc),
            )
            await clock.sleep(wait)
