"""Which runs `run --once` performs: all, one connection, or one operation of it."""

from __future__ import annotations

from dataclasses import dataclass

from flxd.config import Config
from flxd.errors import UsageError
from flxd.operation import RUN_ORDER, Operation
from flxd.runs.summary import RunKey

__all__ = ["Selection"]


@dataclass(frozen=True, slots=True)
class Selection:
    connection: str | None = None
    operation: Operation | None = None
    reconcile: bool = False
    """import_listings' reconciliation pass instead of the import (`--reconcile`)."""

    def keys(self, config: Config) -> dict[str, list[RunKey]]:
        """The runs per connection, each connection's in dependency order."""
        if self.connection is not None and self.connection not in config.connections:
            known = ", ".join(sorted(config.connections)) or "none"
            raise UsageError(f"unknown connection {self.connection!r} (configured: {known})")
        plan: dict[str, list[RunKey]] = {}
        for name, conn in sorted(config.connections.items()):
            if self.connection not in (None, name) or not conn.settings.enabled:
                continue
            ops = [op for op in RUN_ORDER if op in conn.enabled_operations()]
            if self.operation is not None:
                if self.operation not in conn.operations:
                    raise UsageError(
                        f"{name}: channel {conn.channel!r} does not support {self.operation.value}"
                    )
                ops = [self.operation]  # asked for by name: run it even if not enabled
            plan[name] = [RunKey(name, op, reconcile=self.reconcile) for op in ops]
        return plan
