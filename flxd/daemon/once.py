"""`run --once` next to running daemons (several nodes on PostgreSQL)."""

from __future__ import annotations

import structlog

from flxd.cluster.leases import OUTBOX, LeaseManager
from flxd.runs.journal import RunOutcome
from flxd.runs.summary import RunKey, RunSummary

__all__ = ["claim_for_once"]

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
