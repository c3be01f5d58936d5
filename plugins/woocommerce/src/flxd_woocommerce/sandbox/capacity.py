"""The shop's server as a client sees it: a few PHP workers, a short queue, then refusals.

WooCommerce has no request quota; what limits a client is the host. With ``workers`` set, a
request arriving while ``n`` requests are in flight (itself included) is served in
``service_ms`` when ``n <= workers``; otherwise it waits its turn: one more ``service_ms`` for
each full round of workers ahead of it, while the queue (``backlog``) has room. A request past
the queue is refused at once, as an overloaded host does: ``overload_status`` (503 or 429) with
``Retry-After``. A request whose wait would outlast ``gateway_timeout_s`` is answered 504 after
that long. The wait is slept on the sandbox clock, so with a fake clock a test decides when the
answers come back (and a client's adaptive concurrency can be driven deterministically).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flxd_woocommerce.sandbox.config import CapacityConfig

__all__ = ["Admission", "ServerCapacity"]


@dataclass(frozen=True, slots=True)
class Admission:
    refused: bool
    latency_s: float = 0.0
    timed_out: bool = False


class ServerCapacity:
    def __init__(self, config: CapacityConfig) -> None:
        self.config = config
        self.in_flight = 0
        self.peak_in_flight = 0
        self.admitted = 0
        self.refused = 0
        self.timed_out = 0
        self.waited_s = 0.0

    def configure(self, config: CapacityConfig) -> None:
        problems = config.problems()
        if problems:
            raise ValueError("; ".join(problems))
        self.config = config

    def admit(self) -> Admission:
        """Decide for one arriving request; an admitted one must :meth:`leave`."""
        config = self.config
        arriving = self.in_flight + 1
        service_s = config.service_ms / 1000
        latency = service_s
        if config.workers is not None and arriving > config.workers:
            waiting = arriving - config.workers
            if waiting > config.backlog:
                self.refused += 1
                return Admission(refused=True)
            latency = service_s * (1 + math.ceil(waiting / config.workers))
        self.in_flight = arriving
        self.peak_in_flight = max(self.peak_in_flight, arriving)
        self.admitted += 1
        if latency > config.gateway_timeout_s:
            self.timed_out += 1
            self.waited_s += config.gateway_timeout_s
            return Admission(refused=False, latency_s=config.gateway_timeout_s, timed_out=True)
        self.waited_s += latency
        return Admission(refused=False, latency_s=latency)

    def leave(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)

    def stats(self) -> dict[str, float | int | None]:
        return {
            "workers": self.config.workers,
            "backlog": self.config.backlog,
            "service_ms": self.config.service_ms,
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
            "admitted": self.admitted,
            "refused": self.refused,
            "timed_out": self.timed_out,
            "waited_s": round(self.waited_s, 6),
        }
