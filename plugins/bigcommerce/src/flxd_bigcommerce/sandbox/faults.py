"""Opt-in fault injection: the failures a client of BigCommerce must survive, reproducibly.

A profile names which faults can happen and how often (``rate`` per request). Each store draws
from its own RNG seeded with the sandbox seed and the store hash, so the same seed and the same
request sequence give the same faults. Faults apply to ``/stores/...`` requests only.

- ``server_error``: a burst of 500/502/503/504 answers over the next 1-4 requests;
- ``slow``: the real answer, held past a client timeout (``fault_slow_ms``);
- ``bare_429``: 429 without ``X-Rate-Limit-*`` headers (BigCommerce under platform load, D:RL#L93);
- ``truncated``: the real answer cut in half, still labelled JSON;
- ``invalid_json``: an HTML error page labelled ``application/json``;
- ``drop``: the connection closes without an answer.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["PROFILES", "Fault", "FaultInjector", "FaultProfile"]


class Fault(StrEnum):
    SERVER_ERROR = "server_error"
    SLOW = "slow"
    BARE_429 = "bare_429"
    TRUNCATED = "truncated"
    INVALID_JSON = "invalid_json"
    DROP = "drop"

    @property
    def before_handler(self) -> bool:
        """Faults that replace the answer (the request is not processed)."""
        return self in (Fault.SERVER_ERROR, Fault.BARE_429, Fault.DROP)


@dataclass(frozen=True, slots=True)
class FaultProfile:
    name: str
    rate: float
    faults: tuple[Fault, ...]


_ALL = tuple(Fault)
PROFILES: dict[str, FaultProfile] = {
    p.name: p
    for p in (
        FaultProfile("none", 0.0, ()),
        FaultProfile("flaky", 0.05, _ALL),
        FaultProfile("chaos", 0.25, _ALL),
        FaultProfile("5xx", 0.1, (Fault.SERVER_ERROR,)),
        FaultProfile("slow", 0.1, (Fault.SLOW,)),
        FaultProfile("429", 0.1, (Fault.BARE_429,)),
        FaultProfile("truncated", 0.1, (Fault.TRUNCATED, Fault.INVALID_JSON)),
        FaultProfile("drop", 0.1, (Fault.DROP,)),
    )
}


@dataclass(frozen=True, slots=True)
class Decision:
    fault: Fault
    status: int = 0  # for SERVER_ERROR


class FaultInjector:
    """Decides, request by request, whether a store's next answer is a fault."""

    def __init__(self, profile: str | None, rate: float | None, seed: int, store_hash: str) -> None:
        self._rng = random.Random(f"{seed}:{store_hash}")
        self._burst = 0
        self.injected: Counter[str] = Counter()
        """Faults a client got, by kind; a corruption it cannot notice (an empty body, an
        error answer) counts as ``<kind>_masked``. Kept across ``configure``."""
        self.configure(profile, rate)

    def record(self, fault: Fault, *, masked: bool = False) -> None:
        """Count a fault as served (the gateway calls this when it applies one)."""
        self.injected[f"{fault.value}_masked" if masked else fault.value] += 1

    def configure(self, profile: str | None, rate: float | None) -> None:
        chosen = PROFILES.get(profile or "none")
        if chosen is None:
            raise ValueError(f"unknown fault profile {profile!r}; known: {', '.join(PROFILES)}")
        self.profile = chosen
        self.rate = chosen.rate if rate is None else rate
        self._burst = 0

    def decide(self) -> Decision | None:
        if self._burst > 0:
            self._burst -= 1
            return Decision(Fault.SERVER_ERROR, self._rng.choice((500, 502, 503, 504)))
        if not self.profile.faults or self.rate <= 0 or self._rng.random() >= self.rate:
            return None
        fault = self._rng.choice(self.profile.faults)
        if fault is Fault.SERVER_ERROR:
            self._burst = self._rng.randint(0, 3)
            return Decision(fault, self._rng.choice((500, 502, 503, 504)))
        return Decision(fault)
