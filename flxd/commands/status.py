"""`flxd status`, `flxd runs` and `flxd plugins`: what flxd is doing and what it has loaded."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from flxd.clock import SystemClock
from flxd.commands.env import CommandEnv
from flxd.commands.output import print_json, print_table
from flxd.journal import ConnectionHealth, Journal
from flxd.operation import RUN_ORDER, Operation

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
    runs.set_defaults(handler=cmd_runs)

    plugins = sub.add_parser("plugins", help="loaded plugins and what each registered")
    plugins.add_argument("--json", action="store_true")
    plugins.set_defaults(handler=cmd_plugins)


async def cmd_status(env: CommandEnv) -> int:
    config = env.config
    async with env.hub() as db, db.transaction() as tx:
        journal = Journal(tx, SystemClock().now())
        health = await journal.health()
        last = await journal.last_runs()
        cursors = await journal.cursors()
    rows: list[dict[str, Any]] = []
    for name, conn in sorted(config.connections.items()):
        state = health.get(name, (ConnectionHealth.ACTIVE, None, None))
        for op in RUN_ORDER:
            if op not in conn.operations:
                continue
            run = last.get((name, op.value))
            cursor = [
                value
                for c, o, part, value, _ in cursors
                if c == name and o == op.value and not part
            ]
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
                    "cursor": cursor[0] if cursor else None,
                }
            )
    if env.args.json:
        print_json({"database": config.database_url.split("://")[0], "connections": rows}, env.out)
        return 0
    if not rows:
        env.out.write(f"no connections configured in {config.path}\n")
        return 0
    print_table(
        ["connection", "health", "operation", "enabled", "last run", "outcome", "cursor"],
        [
            (
                r["connection"],
                r["health"],
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
    for name, (health_state, reason, _) in sorted(health.items()):
        if health_state is ConnectionHealth.NEEDS_REAUTH:
            env.out.write(f"{name}: needs re-authentication: {reason}\n")
    return 0


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


async def cmd_runs(env: CommandEnv) -> int:
    args = env.args
    async with env.hub() as db, db.transaction() as tx:
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
    )
    return 0


async def cmd_plugins(env: CommandEnv) -> int:
    host = env.host
    rows: list[dict[str, Any]] = [
        {
            "name": info.name,
            "distribution": info.distribution,
            "version": info.version,
            "registered": [f"{kind}:{name}" for kind, name in host.registrations(info.name)],
        }
        for info in host.plugins
    ]
    if env.args.json:
        print_json(rows, env.out)
        return 0
    print_table(
        ["plugin", "distribution", "version", "registered"],
        [
            (r["name"], r["distribution"], r["version"], ", ".join(r["registered"]) or "-")
            for r in rows
        ],
        env.out,
    )
    return 0
