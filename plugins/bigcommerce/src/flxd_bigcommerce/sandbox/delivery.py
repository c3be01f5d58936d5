"""Webhook delivery: events become POSTs to the destinations of matching hooks, with the hook's
custom headers, one at a time in the order they happened.

The sandbox makes one attempt per delivery and records the outcome (BigCommerce retries for up to
48 hours, D:WHOV#L100-128); tests read the log with ``Sandbox.deliveries(hash)``. Delivery runs
while ``Sandbox.serve()`` (or ``Sandbox.running()``) is active; events raised with no dispatcher
running are queued up to a bound and delivered once one starts.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
import anyio
import structlog
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from flxd_bigcommerce.sandbox.clock import SandboxClock

__all__ = ["Delivery", "DeliveryLog", "DeliveryOutcome", "WebhookDispatcher"]

log = structlog.get_logger(__name__)

_QUEUE_BOUND = 10_000
_LOG_BOUND = 1_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    store_hash: str
    hook_id: int
    destination: str
    headers: dict[str, str]
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryOutcome:
    delivery: Delivery
    at: datetime
    status: int | None  # None when no HTTP response came back
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class DeliveryLog:
    """The most recent delivery outcomes of one store."""

    def __init__(self) -> None:
        self.outcomes: deque[DeliveryOutcome] = deque(maxlen=_LOG_BOUND)
        self.dropped = 0


class WebhookDispatcher:
    """Owns the delivery queue and the HTTP session that delivers (the sandbox plays
    BigCommerce's side here, so it has its own session)."""

    def __init__(self, clock: SandboxClock, timeout_s: float = 10.0) -> None:
        self.clock = clock
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._send: MemoryObjectSendStream[tuple[Delivery, DeliveryLog]]
        self._receive: MemoryObjectReceiveStream[tuple[Delivery, DeliveryLog]]
        self._send, self._receive = anyio.create_memory_object_stream(_QUEUE_BOUND)
        self._idle = anyio.Event()
        self._idle.set()
        self._pending = 0

    def enqueue(self, delivery: Delivery, outcomes: DeliveryLog) -> None:
        try:
            self._send.send_nowait((delivery, outcomes))
        except anyio.WouldBlock:
            outcomes.dropped += 1
            log.warning("sandbox.webhook.dropped", hook_id=delivery.hook_id)
            return
        self._pending += 1
        if self._idle.is_set():
            self._idle = anyio.Event()

    async def wait_idle(self) -> None:
        """Return once every queued delivery has been attempted (for tests)."""
        await self._idle.wait()

    async def run(self) -> None:
        """Deliver until cancelled."""
        async with aiohttp.ClientSession(timeout=self._timeout) as session:
            while True:
                delivery, outcomes = await self._receive.receive()
                outcomes.outcomes.append(await self._attempt(session, delivery))
                self._pending -= 1
                if self._pending == 0:
                    self._idle.set()

    async def _attempt(self, session: aiohttp.ClientSession, delivery: Delivery) -> DeliveryOutcome:
        headers = {"Content-Type": "application/json", **delivery.headers}
        try:
            async with session.post(
                delivery.destination, json=delivery.payload, headers=headers
            ) as response:
                await response.read()
                status: int | None = response.status
                error = ""
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            status, error = None, f"{type(exc).__name__}: {exc}"
        if status is None or not 200 <= status < 300:
            log.info("sandbox.webhook.failed", hook_id=delivery.hook_id, status=status, error=error)
        return DeliveryOutcome(delivery=delivery, at=self.clock.now(), status=status, error=error)
