"""Webhook deliveries as WooCommerce sends them: a POST of the resource exactly as
``GET /wc/v3/{resource}s/{id}`` renders it *at delivery time* (``{"id": ...}`` for a deleted
one), encoded by ``wp_json_encode``, with ``X-WC-Webhook-Source`` (the home URL and a
slash), ``-Topic``, ``-Resource``, ``-Event``, ``-Signature`` (base64 HMAC-SHA256 of the
body's exact bytes with the webhook's secret), ``-ID`` and ``-Delivery-ID`` (a hash of the
webhook id and the second it was sent: two sends in one second share it). Redirects are not
followed; 2xx, 301 and 302 count as success. Each delivery is attempted once — WooCommerce
does not retry — so a failed one is lost to the receiver.

In ``documented`` deliveries go out in order, as soon as the sandbox's delivery task gets to
them. In ``pessimistic`` each is delayed by a random time (so they arrive late and out of
order), some are sent twice and some never (outcome ``lost``). Delays are slept on the
sandbox clock.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import anyio
import structlog

from flxd_woocommerce.sandbox.clock import SandboxClock
from flxd_woocommerce.sandbox.outbound import Outbound

__all__ = [
    "Delivery",
    "DeliveryLog",
    "DeliveryOutcome",
    "Prepared",
    "WebhookDispatcher",
    "signature_of",
]

log = structlog.get_logger(__name__)

_LOG_BOUND = 2_000


def signature_of(body: bytes, secret: str) -> str:
    """``X-WC-Webhook-Signature``: base64 of the HMAC-SHA256 of the body bytes."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepared:
    """A delivery ready to go: where, and the exact bytes and headers."""

    url: str
    home_url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    store: str
    webhook_id: int
    topic: str
    kind: str
    """``event`` or ``ping`` (the ``webhook_id=N`` form POST sent when a webhook is created)."""
    render: Callable[[], Prepared | None]
    """Builds body and headers when the delivery is sent; None: the webhook is gone or
    inactive by then, nothing is sent."""
    duplicate: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryOutcome:
    store: str
    webhook_id: int
    topic: str
    kind: str
    at: datetime
    status: int | None
    """The receiver's status, None when no answer came back (or nothing was sent)."""
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str = ""
    lost: bool = False
    """Never sent (a ``pessimistic`` loss)."""
    duplicate: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 303


class DeliveryLog:
    """The most recent delivery outcomes of one store, oldest first."""

    def __init__(self) -> None:
        self.outcomes: deque[DeliveryOutcome] = deque(maxlen=_LOG_BOUND)


class WebhookDispatcher:
    """One queue for the whole sandbox, ordered by due time; runs while the app runs."""

    def __init__(self, clock: SandboxClock, outbound: Outbound) -> None:
        self.clock = clock
        self.outbound = outbound
        self._heap: list[tuple[float, int, Delivery, Callable[[DeliveryOutcome], None]]] = []
        self._order = itertools.count()
        self._wake = anyio.Event()
        self._idle = anyio.Event()
        self._idle.set()
        self._busy = 0

    def enqueue(
        self,
        delivery: Delivery,
        on_outcome: Callable[[DeliveryOutcome], None],
        *,
        delay_s: float = 0.0,
    ) -> None:
        due = self.clock.monotonic() + max(0.0, delay_s)
        heapq.heappush(self._heap, (due, next(self._order), delivery, on_outcome))
        if self._idle.is_set():
            self._idle = anyio.Event()
        self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._heap) + self._busy

    async def wait_idle(self) -> None:
        """Return once nothing is queued or being sent (delayed deliveries included)."""
        while self.pending:
            await self._idle.wait()

    async def run(self) -> None:
        """Deliver until cancelled."""
        try:
            while True:
                if not self._heap:
                    self._wake = anyio.Event()
                    await self._wake.wait()
                    continue
                due = self._heap[0][0]
                delay = due - self.clock.monotonic()
                if delay > 0:
                    await self._sleep_or_wake(delay)
                    continue
                _, _, delivery, on_outcome = heapq.heappop(self._heap)
                self._busy += 1
                try:
                    on_outcome(await self._send(delivery))
                finally:
                    self._busy -= 1
                    if not self.pending:
                        self._idle.set()
        finally:
            await self.outbound.close()

    async def _sleep_or_wake(self, delay: float) -> None:
        self._wake = anyio.Event()
        async with anyio.create_task_group() as group:

            async def sleep() -> None:
                await self.clock.sleep(delay)
                group.cancel_scope.cancel()

            async def wake() -> None:
                await self._wake.wait()
                group.cancel_scope.cancel()

            group.start_soon(sleep)
            group.start_soon(wake)

    async def _send(self, delivery: Delivery) -> DeliveryOutcome:
        rendered = delivery.render()
        if rendered is None:
            return _outcome(delivery, self.clock.now(), None, error="not sent: webhook gone")
        result = await self.outbound.post(
            rendered.url, rendered.body, dict(rendered.headers), home_url=rendered.home_url
        )
        if not (result.status is not None and 200 <= result.status < 303):
            log.info(
                "sandbox.webhook.failed", url=rendered.url, status=result.status, error=result.error
            )
        return _outcome(
            delivery,
            self.clock.now(),
            result.status,
            url=rendered.url,
            headers=rendered.headers,
            body=rendered.body,
            error=result.error,
        )


def _outcome(
    delivery: Delivery,
    at: datetime,
    status: int | None,
    *,
    url: str = "",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    error: str = "",
) -> DeliveryOutcome:
    return DeliveryOutcome(
        store=delivery.store,
        webhook_id=delivery.webhook_id,
        topic=delivery.topic,
        kind=delivery.kind,
        at=at,
        status=status,
        url=url,
        headers=headers or {},
        body=body,
        error=error,
        duplicate=delivery.duplicate,
    )
