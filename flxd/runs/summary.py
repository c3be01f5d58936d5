"""What a run is called (RunKey) and how it ended (RunSummary), and who is told as runs go."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

from flxd.operation import Operation
from flxd.runs.journal import RunOutcome

__all__ = ["RunKey", "RunProgress", "RunSummary"]


@dataclass(frozen=True, slots=True, order=True)
class RunKey:
    connection: str
    operation: Operation
    reconcile: bool = False
    """import_listings' reconciliation pass rather than the import itself (a run of its own,
    beside the import's: flxd.plugin.flows.reconcile)."""

    @property
    def what(self) -> str:
        """The operation as the CLI names it."""
        return self.operation.value + (" --reconcile" if self.reconcile else "")

    def __str__(self) -> str:
        return f"{self.connection}/{self.operation.value}" + (
            "+reconcile" if self.reconcile else ""
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSummary:
    key: RunKey
    trigger: str
    outcome: RunOutcome
    run_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    duration: float = 0.0
    plan: list[dict[str, Any]] = field(default_factory=list)
    """A dry run's planned channel writes."""


class RunProgress(Protocol):
    """Told about each run of `run --once` as it starts and ends (the CLI's progress display)."""

    log_stream: TextIO
    """Where log lines go while progress is shown (so they do not tear the display)."""

    def started(self, key: RunKey) -> None: ...

    def finished(self, summary: RunSummary) -> None: ...
