"""`flxd status`, `flxd runs` and `flxd plugins`: what flxd is doing and what it has loaded."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from flxd.clock import SystemClock
from flxd.cluster.leasebook import LeaseTable
from flxd.cluster.leases import OUTBOX
from flxd.commands.env import CommandEnv
from flxd.commands.output import ERROR_WIDTH, print_json, print_table
from flxd.hub.health import ConnectionHealth
from flxd.operation import RUN_ORDER, Operation
from flxd.runs.approvals import uses_approval
from flxd.runs.journal import Journal
from flxd.runs.status import read_status

__all__ = ["add_parsers"]


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    status = sub.add_parser("status", help="connections, their health, last runs and cursors")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=cmd_status)

    runs = sub.add_parser("runs", help="recent run history")
    runs.add_argument("--connection")
    runs.add_argument("--operation", choices=[o.value for o in Operation])
    runs.add_argument("--limit", type=int, default=20)
    runs.add_argument("--json", action="store_true")
    runs.add_argument(
        "--verbose", "-v", action="store_true", help="every run's error in full, below the table"
    )
    runs.set_defaults(handler=cmd_runs)

    plugins = sub.add_parser("plugins", help="loaded plugins and what each registered")
    plugins.add_argument("--json", action="store_true")
    plugins.set_defaults(handler=cmd_plugins)


async def cmd_status(env: CommandEnv) -> int:
    config = env.config
    async with env.hub(create=False) as db:
        hub = await read_status(
            db,
            SystemClock().now(),
            approving=_approved_by_merchant(env),
            lease_period=config.daemon.lease_period,
        )
    leases = hub.leases
    rows: list[dict[str, Any]] = []
    for name, conn in sorted(config.connections.items()):
        state = hub.health_of(name)
        for op in RUN_ORDER:
            if op not in conn.operations:
                continue
            run = hub.last_runs.get((name, op.value))
            rows.append(
                {
                    "connection": name,
                    "channel": conn.channel,
                    "health": state[0].value,
                    "health_reason": state[1],
                    "operation": op.value,
                    "enabled": conn.settings.enabled and conn.operations[op].enabled,
                    "interval_s": conn.operations[op].interval,
                    "last_run": None
                    if run is None
                    else {
                        "id": run.id,
                        "outcome": run.outcome.value,
                        "started_at": run.started_at,
                        "ended_at": run.ended_at,
                        "counts": run.counts,
                        "error": run.error,
                    },
                    "cursor": hub.cursor(name, op.value),
                    **({} if leases is None else {"node": leases.owner(name)}),
                }
            )
    if env.args.json:
        document: dict[str, Any] = {
            "database": config.database_url.split("://")[0],
            "connections": rows,
        }
        if leases is not None:
            document["nodes"] = _nodes(leases)
        print_json(document, env.out)
        return 0
    if not rows:
        env.out.write(f"no connections configured in {config.path}\n")
        return 0
    node_column = ["node"] if leases is not None else []
    print_table(
        [
            "connection",
            *node_column,
            *("health", "operation", "enabled", "last run", "outcome", "cursor"),
        ],
        [
            (
                r["connection"],
                *([r["node"] or "(none)"] if leases is not None else []),
                "awaiting approval"
                if r["health"] == ConnectionHealth.AWAITING_APPROVAL
                else r["health"],
                r["operation"],
                "yes" if r["enabled"] else "no",
                _when(r["last_run"]["started_at"]) if r["last_run"] else None,
                r["last_run"]["outcome"] if r["last_run"] else None,
                r["cursor"],
            )
            for r in rows
        ],
        env.out,
    )
    if leases is not None:
        env.out.write("\n")
        print_table(
            ["node", "state", "last heartbeat", "connections", "outbox"],
            [
                (
                    n["node"],
                    "live" if n["live"] else "gone",
                    f"{n['seen_s_ago']:.1f} s ago",
                    n["connections"],
                    "yes" if n["outbox"] else "",
                )
                for n in _nodes(leases)
            ],
            env.out,
        )
    for name, (health_state, reason, _) in sorted(hub.health.items()):
        if health_state is ConnectionHealth.NEEDS_REAUTH and name not in hub.waiting:
            env.out.write(f"{name}: needs re-authentication: {reason}\n")
    for name, approval in hub.waiting.items():
        env.out.write(f"{name}: awaiting approval: {approval.reason}\n")
    return 0


def _approved_by_merchant(env: CommandEnv) -> list[str]:
    """The configured connections that get their token from a merchant's approval."""
    found = []
    for name, conn in env.config.connections.items():
        channel_type = env.host.channels.get(conn.channel)
        if channel_type is not None and uses_approval(conn, channel_type):
            found.append(name)
    return found


def _nodes(leases: LeaseTable) -> list[dict[str, Any]]:
    """Every node that has taken part, with what it holds now."""
    held: dict[str, int] = {}
    for row in leases.leases:
        if row.owner is not None and row.left_s > 0 and not row.name.startswith("~"):
            held[row.owner] = held.get(row.owner, 0) + 1
    return [
        {
            "node": n.node,
            "live": n.live,
            "seen_s_ago": round(max(0.0, n.seen_s_ago), 3),
            "connections": held.get(n.node, 0),
            "outbox": leases.owner(OUTBOX) == n.node,
        }
        for n in leases.nodes
    ]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


async def cmd_runs(env: CommandEnv) -> int:
    args = env.args
    async with env.hub(create=False) as db, db.transaction() as tx:
        runs = await Journal(tx, SystemClock().now()).runs(
            connection=args.connection, operation=args.operation, limit=args.limit
        )
    if args.json:
        print_json(runs, env.out)
        return 0
    print_table(
        [
            "id",
            "connection",
            "operation",
            "trigger",
            "started",
            "seconds",
            "outcome",
            "counts",
            "error",
        ],
        [
            (
                r.id,
                r.connection,
                r.operation,
                r.trigger,
                r.started_at,
                f"{(r.ended_at - r.started_at).total_seconds():.2f}" if r.ended_at else None,
                r.outcome,
                " ".join(f"{k}={v}" for k, v in sorted(r.counts.items())) or None,
                r.error,
            )
            for r in runs
        ],
        env.out,
        limits={"error": ERROR_WIDTH},
    )
    if args.verbose:
        for r in runs:
            if r.error:
                env.out.write(f"run {r.id}: {r.error}\n")
    return 0


async def cmd_plugins(env: CommandEnv) -> int:
    host = env.host
    rows: list[dict[str, Any]] = [
        {
            "name": info.name,
            "distribution": info.distribution,
            "version": info.version,
            "registered": [f"{kind}:{name}" for kind, name in host.registrations(info.name)],
            "disabled": info.disabled,
        }
        for info in host.plugins
    ]
    if env.args.json:
        print_json(rows, env.out)
        return 0
    print_table(
        ["plugin", "distribution", "version", "registered"],
        [
            (
                r["name"],
                r["distribution"],
                r["version"],
                "disabled (FLXD_DISABLE_PLUGINS)"
                if r["disabled"]
                else ", ".join(r["registered"]) or "-",
            )
            for r in rows
        ],
        env.out,
        limits={"registered": None},
    )
    return 0
