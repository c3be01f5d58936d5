"""`flxd run` (the daemon, or `--once`) and `flxd check-config`."""

from __future__ import annotations

import argparse
import sys

from flxd.commands.env import CommandEnv
from flxd.commands.output import print_json, print_table
from flxd.daemon import Daemon, Selection
from flxd.errors import UsageError
from flxd.journal import RunOutcome
from flxd.operation import Operation

__all__ = ["add_parsers"]

_FAILED = {RunOutcome.FAILED, RunOutcome.NEEDS_REAUTH, RunOutcome.INTERRUPTED, RunOutcome.SKIPPED}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="run the daemon, or every enabled operation once (--once)")
    run.add_argument(
        "--once", action="store_true", help="run enabled operations once, print a summary and exit"
    )
    run.add_argument(
        "--full", action="store_true", help="with --once: ignore saved cursors (a full re-scan)"
    )
    run.add_argument("--json", action="store_true", help="with --once: print the summary as JSON")
    run.add_argument("connection", nargs="?", help="with --once: only this connection")
    run.add_argument(
        "operation",
        nargs="?",
        choices=[o.value for o in Operation],
        help="with --once: only this operation (runs even if not enabled)",
    )
    run.set_defaults(handler=cmd_run)

    check = sub.add_parser("check-config", help="validate the config file and print every problem")
    check.set_defaults(handler=cmd_check_config)


async def cmd_run(env: CommandEnv) -> int:
    args = env.args
    if not args.once:
        if args.connection or args.full:
            raise UsageError("CONNECTION, OPERATION and --full need --once")
        env.setup_logging(stream=sys.stdout)  # under systemd, stdout goes to the journal
        return await Daemon(env.config, env.host, redactor=env.redactor).serve()
    env.setup_logging()
    config = env.config
    selection = Selection(args.connection, Operation(args.operation) if args.operation else None)
    summaries = await Daemon(config, env.host, redactor=env.redactor).run_once(
        selection, full=args.full
    )
    if not config.connections:
        message = (
            f"no connections configured in {config.path}: the hub is ready at "
            f"{config.database_url}, nothing to run (add a [connections.NAME] table)"
        )
        if args.json:
            print_json({"runs": [], "message": message}, env.out)
        else:
            env.out.write(message + "\n")
        return 0
    if args.json:
        print_json({"runs": summaries}, env.out)
    else:
        print_table(
            ["connection", "operation", "outcome", "seconds", "counts", "error"],
            [
                (
                    s.key.connection,
                    s.key.operation.value,
                    s.outcome.value,
                    f"{s.duration:.2f}",
                    " ".join(f"{k}={v}" for k, v in sorted(s.counts.items())) or "-",
                    s.error,
                )
                for s in summaries
            ],
            env.out,
        )
        if not summaries:
            env.out.write("no enabled operations matched\n")
    return 1 if any(s.outcome in _FAILED for s in summaries) else 0


async def cmd_check_config(env: CommandEnv) -> int:
    config = env.config  # raises ConfigError with every problem; main() prints it, exits 2
    ops = sum(len(c.enabled_operations()) for c in config.connections.values())
    env.out.write(
        f"{config.path}: OK ({len(config.connections)} connection(s), {ops} enabled operation(s), "
        f"{len(config.sinks)} sink(s), {len(config.feeds)} feed(s))\n"
    )
    return 0
