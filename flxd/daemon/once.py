"""`run --once`: its stages, and claiming connections next to running daemons (several nodes on
PostgreSQL)."""

from __future__ import annotations

import structlog

from flxd.cluster.leases import OUTBOX, LeaseManager
from flxd.operation import RUN_ORDER
from flxd.runs.journal import RunOutcome
from flxd.runs.summary import RunKey, RunSummary

__all__ = ["claim_for_once", "once_stages"]

log = structlog.get_logger("flxd.daemon")


async def claim_for_once(
    leases: LeaseManager, plan: dict[str, list[RunKey]], *, dry_run: bool
) -> list[RunSummary]:
    """Claim the selected connections (and the outbox), and skip those another node holds
    rather than write beside it: their runs come back as skipped, naming the holder."""
    wanted = [*plan, *([] if dry_run else [OUTBOX])]
    holders = await leases.claim(wanted)
    skipped: list[RunSummary] = []
    for name, holder in sorted(holders.items()):
        if name not in plan:
            continue
        why = f"node {holder} holds the connection's lease" if holder else "lease busy"
        log.warning("connection held by another node; not run", connection=name, node=holder)
        skipped += [
            RunSummary(key=key, trigger="once", outcome=RunOutcome.SKIPPED, error=why)
            for key in plan[name]
        ]
    return skipped


def once_stages(plan: dict[str, list[RunKey]]) -> list[list[RunKey]]:
    """The planned runs as stages, one per operation in dependency order (RUN_ORDER): every
    connection imports before any publishes, so a listing one store brought in reaches the
    others in the same run; within a stage, connections in the plan's order."""
    keys = [key for connection_keys in plan.values() for key in connection_keys]
    stages = [[key for key in keys if key.operation is operation] for operation in RUN_ORDER]
    return [stage for stage in stages if stage]
