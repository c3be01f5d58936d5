"""The endpoints machines poll: /healthz (alive), /readyz (able to work), /metrics (Prometheus)."""

from __future__ import annotations

import anyio
import structlog
from aiohttp import web

from flxd.admin.state import STATE, json_response
from flxd.daemon.metrics import CONTENT_TYPE
from flxd.hub.health import ConnectionHealth
from flxd.runs.approvals import awaiting_approval, uses_approval

__all__ = ["healthz", "metrics", "readyz"]

log = structlog.get_logger("flxd.admin")
STORE_TIMEOUT = 5.0


async def healthz(request: web.Request) -> web.Response:
    """The process is alive and its event loop answers. Needs no token."""
    return json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """200 when the hub answers, the scheduler runs and no connection waits for
    re-authentication or a merchant's approval (unless `[admin] ready_ignores_reauth`); 503
    with the reasons otherwise."""
    state = request.app[STATE]
    checks: dict[str, str] = {}
    ready = True
    runtimes = state.runner.connections
    waiting: list[str] = []
    with anyio.move_on_after(STORE_TIMEOUT) as scope:
        try:
            async with state.db.transaction() as tx:
                await tx.fetchval("SELECT 1")
                waiting = sorted(
                    await awaiting_approval(
                        tx,
                        [
                            n
                            for n, rt in runtimes.items()
                            if uses_approval(rt.config, rt.channel_type)
                        ],
                        state.clock.now(),
                    )
                )
            checks["store"] = "ok"
        except Exception as exc:  # any failure here means "not ready", with its name
            checks["store"] = f"unreachable: {type(exc).__name__}"
            ready = False
    if scope.cancelled_caught:
        checks["store"] = f"no answer within {STORE_TIMEOUT:g}s"
        ready = False
    if state.runner.draining:
        checks["scheduler"] = "stopping"
        ready = False
    elif not state.scheduler.running:
        checks["scheduler"] = "not running"
        ready = False
    else:
        checks["scheduler"] = "running"
    paused = sorted(
        name
        for name, health in state.runner.health.items()
        if health is ConnectionHealth.NEEDS_REAUTH and name in runtimes and name not in waiting
    )
    problems = [f"awaiting approval: {', '.join(waiting)}"] if waiting else []
    problems += [f"needs re-authentication: {', '.join(paused)}"] if paused else []
    if problems:
        checks["connections"] = "; ".join(problems)
        ready = ready and state.config().admin.ready_ignores_reauth
    else:
        checks["connections"] = "ok"
    return json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    state = request.app[STATE]
    try:
        with anyio.fail_after(STORE_TIMEOUT):
            await state.metrics.refresh(
                db=state.db,
                connections=state.runner.connections,
                health=state.runner.health,
                sinks=list(state.delivery.sinks),
            )
    except Exception as exc:  # the run counters are still worth serving without the hub's part
        if state.hub_alarm.trip():
            log.warning(
                "metrics: cannot read the hub; serving its last known values", error=repr(exc)
            )
    else:
        if state.hub_alarm.clear():
            log.info("metrics: the hub answers again")
    return web.Response(body=state.metrics.render(), headers={"Content-Type": CONTENT_TYPE})
