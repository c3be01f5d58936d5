"""Webhook delivery: events become POSTs to the destinations of matching hooks, with the hook's
custom headers, one at a time in the order they happened -- or, under the pessimistic behaviour,
in the order their delays end.

The sandbox makes one attempt per delivery and records the outcome (BigCommerce retries for up to
48 hours, D:WHOV#L100-128); tests read the log with ``Sandbox.deliveries(hash)``. Delivery runs
while ``Sandbox.serve()`` (or ``Sandbox.running()``) is active; events raised with no dispatcher
running are queued up to a bound and delivered once one starts.

A delivery with a delay waits until the sandbox clock has moved that far. The clock is read,
never slept on: due deliveries are released on every store request, by
:meth:`WebhookDispatcher.release_due` (``Sandbox.deliver_due()`` in tests, after moving a fake
clock) and by a light poll while any is waiting, for stores on the real clock.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
import anyio
import structlog
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from flxd_bigcommerce.sandbox.clock import SandboxClock

__all__ = ["Deliver", "Delivery", "DeliveryLog", "DeliveryOutcome", "WebhookDispatcher"]

log = structlog.get_logger(__name__)

_QUEUE_BOUND = 10_000
_LOG_BOUND = 1_000
# How often (real seconds) waiting deliveries are checked against the sandbox clock.
_POLL_S = 0.1


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
    """The most recent delivery outcomes of one store, and the deliveries the pessimistic
    behaviour chose never to send (``lost``)."""

    def __init__(self) -> None:
        self.outcomes: deque[DeliveryOutcome] = deque(maxlen=_LOG_BOUND)
        self.lost: deque[Delivery] = deque(maxlen=_LOG_BOUND)
        self.dropped = 0


# Hand a delivery over: what, whose log, and after how many seconds of sandbox clock.
Deliver = Callable[[Delivery, DeliveryLog, float], None]


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
        self._waiting: list[tuple[float, int, Delivery, DeliveryLog]] = []
        self._order = itertools.count()
        self._waiting_changed = anyio.Event()

    @property
    def waiting(self) -> int:
        """Deliveries whose delay has not ended yet."""
        return len(self._waiting)

    def enqueue(self, delivery: Delivery, outcomes: DeliveryLog, delay: float = 0.0) -> None:
        """Send ``delivery`` once ``delay`` seconds of sandbox clock have passed (0: now)."""
        if delay > 0:
            due = self.clock.monotonic() + delay
            heapq.heappush(self._waiting, (due, next(self._order), delivery, outcomes))
            self._waiting_changed.set()
            return
        self._send_now(delivery, outcomes)

    def release_due(self) -> int:
        """Queue every waiting delivery whose delay has ended, earliest first; how many."""
        now = self.clock.monotonic()
        released = 0
        while self._waiting and self._waiting[0][0] <= now:
            _, _, delivery, outcomes = heapq.heappop(self._waiting)
            self._send_now(delivery, outcomes)
            released += 1
        return released

    def _send_now(self, delivery: Delivery, outcomes: DeliveryLog) -> None:
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
        """Return once every queued delivery has been attempted (for tests); deliveries
        still waiting for their delay are not waited for."""
        await self._idle.wait()

    async def run(self) -> None:
        """Deliver until cancelled."""
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self._poll_waiting)
            async with aiohttp.ClientSession(timeout=self._timeout) as session:
                while True:
                    delivery, outcomes = await self._receive.receive()
                    outcomes.outcomes.append(await self._attempt(session, delivery))
                    self._pending -= 1
                    if self._pending == 0:
                        self._idle.set()

    async def _poll_waiting(self) -> None:
        # Real-time polling of the sandbox clock, only while deliveries wait: a store on the
        # real clock gets its late webhooks without any request to nudge them.
        while True:
            if not self._waiting:
                self._waiting_changed = anyio.Event()
                await self._waiting_changed.wait()
            self.release_due()
            await anyio.sleep(_POLL_S)

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
