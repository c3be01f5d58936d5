"""Opt-in fault injection: what a client of a real WordPress host must survive, reproducibly.

A profile names which faults can happen and how often (``rate`` per REST request). Each store
draws from its own RNG seeded with the sandbox seed and the store name, so the same seed and
the same request sequence give the same faults. Faults touch REST requests only (never the
control API, the approval flow or webhook deliveries).

- ``server_error``: a burst of 500/502/503/504 over the next 1-4 requests: 500 is WordPress's
  "critical error" HTML page, the others a reverse proxy's HTML page;
- ``slow``: the real answer, held ``fault_slow_ms`` on the sandbox clock (past a client timeout;
  with a fake clock it waits until the test moves time, or the client gives up);
- ``truncated``: the real answer cut in half, still labelled JSON;
- ``drop``: the connection closes without an answer;
- ``html_page``: a 200 HTML page instead of JSON (a caching or security layer's page);
- ``php_notice``: a PHP notice printed before the JSON body, status and type unchanged (the
  WordPress classic with ``display_errors`` on).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["PROFILES", "Decision", "Fault", "FaultInjector", "FaultProfile"]


class Fault(StrEnum):
    SERVER_ERROR = "server_error"
    SLOW = "slow"
    TRUNCATED = "truncated"
    DROP = "drop"
    HTML_PAGE = "html_page"
    PHP_NOTICE = "php_notice"

    @property
    def replaces_answer(self) -> bool:
        """Faults served instead of the answer (the request is not processed)."""
        return self in (Fault.SERVER_ERROR, Fault.DROP, Fault.HTML_PAGE)


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
        FaultProfile("truncated", 0.1, (Fault.TRUNCATED,)),
        FaultProfile("drop", 0.1, (Fault.DROP,)),
        FaultProfile("html", 0.1, (Fault.HTML_PAGE,)),
        FaultProfile("notice", 0.1, (Fault.PHP_NOTICE,)),
    )
}


@dataclass(frozen=True, slots=True)
class Decision:
    fault: Fault
    status: int = 0  # for SERVER_ERROR


class FaultInjector:
    """Decides, request by request, whether a store's next answer is a fault."""

    def __init__(self, profile: str | None, rate: float | None, seed: int, store: str) -> None:
        self._rng = random.Random(f"{seed}:{store}:faults")
        self._burst = 0
        self.injected: Counter[str] = Counter()
        """Faults served so far, by kind; kept across ``configure``."""
        self.configure(profile, rate)

    def configure(self, profile: str | None, rate: float | None) -> None:
        chosen = PROFILES.get(profile or "none")
        if chosen is None:
            raise ValueError(f"unknown fault profile {profile!r}; known: {', '.join(PROFILES)}")
        if rate is not None and not 0.0 <= rate <= 1.0:
            raise ValueError("a fault rate is between 0 and 1")
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

    def record(self, fault: Fault) -> None:
        self.injected[fault.value] += 1
