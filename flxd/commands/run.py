"""`flxd run` (the daemon, or `--once`) and `flxd check-config`."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from flxd.admin.attach import serve_admin
from flxd.commands.env import CommandEnv
from flxd.commands.output import ERROR_WIDTH, print_json, print_table
from flxd.commands.progress import run_progress
from flxd.config import Config
from flxd.config.models import split_listen
from flxd.config.secrets import unresolved_secrets
from flxd.daemon.lifecycle import Daemon
from flxd.daemon.selection import Selection
from flxd.errors import ConfigError, ConfigProblem, UsageError
from flxd.hub.credentials import Vault
from flxd.hub.database import hub_exists
from flxd.hub.location import create_state_dir, hub_location, state_dir_problem
from flxd.operation import Operation
from flxd.runs.journal import RunOutcome
from flxd.runs.summary import RunSummary

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
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="with --once: read everything, write nothing (no channel write, no cursor moved) "
        "and print the plan: what the run would create, change, hide, delist, acknowledge, ship",
    )
    run.add_argument(
        "--reconcile",
        action="store_true",
        help="with --once: run import_listings' reconciliation pass instead: read every linked "
        "variant's price and stock on the store and have the next sync_listings put the hub's "
        "values back where they drifted",
    )
    run.add_argument(
        "--admin-listen",
        metavar="HOST:PORT",
        help="serve the admin server here (overrides [admin] listen; port 0: any free port)",
    )
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
        if args.connection or args.full or args.dry_run or args.reconcile:
            raise UsageError("CONNECTION, OPERATION, --full, --dry-run and --reconcile need --once")
        if args.admin_listen is not None:
            try:
                split_listen(args.admin_listen)
            except ValueError as exc:
                raise UsageError(f"--admin-listen: {exc}") from None
        env.need_secrets("")  # the daemon contacts every store, and serves the admin token
        Vault.for_config(env.config)  # a key too short to be one: said now, not at first use
        env.setup_logging(stream=sys.stdout, daemon=True)  # under systemd: the journal
        await _announce_new_hub(env, env.config)
        daemon = Daemon(
            env.config,
            env.host,
            redactor=env.redactor,
            admin_listen=args.admin_listen,
            attachments=[serve_admin],
        )
        return await daemon.serve()
    if args.admin_listen is not None:
        raise UsageError("--admin-listen is for the daemon; `run --once` serves no admin server")
    operation = Operation(args.operation) if args.operation else None
    if args.reconcile:
        if operation not in (None, Operation.IMPORT_LISTINGS):
            raise UsageError("--reconcile is a pass of import_listings; leave OPERATION out")
        operation = Operation.IMPORT_LISTINGS
    selection = Selection(args.connection, operation, reconcile=args.reconcile)
    selection.keys(env.config)  # an unknown connection or operation: said before anything else
    config = _selected(env.config, selection)
    env.need_secrets(
        "daemon", "sinks", "feeds", *(f"connections.{name}" for name in config.connections)
    )
    Vault.for_config(config)
    await _announce_new_hub(env, config)
    total = sum(len(keys) for keys in selection.keys(config).values())
    with run_progress(total) as progress:
        env.setup_logging(stream=progress.log_stream)
        summaries = await Daemon(config, env.host, redactor=env.redactor).run_once(
            selection, full=args.full, progress=progress, dry_run=args.dry_run
        )
    if not env.config.connections:
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
        print_json({"dry_run": args.dry_run, "runs": summaries}, env.out)
    elif args.dry_run:
        _print_plan(summaries, env)
    else:
        print_table(
            ["connection", "operation", "outcome", "seconds", "counts", "error"],
            [
                (
                    s.key.connection,
                    s.key.what,
                    s.outcome.value,
                    f"{s.duration:.2f}",
                    " ".join(f"{k}={v}" for k, v in sorted(s.counts.items())) or "-",
                    s.error,
                )
                for s in summaries
            ],
            env.out,
            limits={"error": ERROR_WIDTH},
        )
        if not summaries:
            env.out.write("no enabled operations matched\n")
    return 1 if any(s.outcome in _FAILED for s in summaries) else 0


def _selected(config: Config, selection: Selection) -> Config:
    """The config `run --once` works with: only the connections it may run (the selected
    one, or every enabled one), so nothing is asked of the others (their secrets)."""
    if selection.connection is not None:
        wanted = {selection.connection}
    else:
        wanted = {n for n, c in config.connections.items() if c.settings.enabled}
    return replace(config, connections={n: c for n, c in config.connections.items() if n in wanted})


async def _announce_new_hub(env: CommandEnv, config: Config) -> None:
    if not await hub_exists(config):
        create_state_dir(config)  # or say why it cannot be, before announcing anything
        env.creating_hub(hub_location(config))


def _print_plan(summaries: list[RunSummary], env: CommandEnv) -> None:
    """The dry run's plan, grouped by run: one line per write it would have sent."""
    out = env.out
    for s in summaries:
        head = f"{s.key.connection} {s.key.what}: {s.outcome.value}"
        out.write(
            f"{head}, {len(s.plan)} write(s) planned" + (f" ({s.error})" if s.error else "") + "\n"
        )
        for step in s.plan:
            details = " ".join(f"{k}={_show(v)}" for k, v in step.items() if k != "action")
            out.write(f"  {step['action']} {details}".rstrip() + "\n")
    out.write("dry run: nothing was sent to any channel and no cursor moved\n")


def _show(value: object) -> str:
    text = str(value)
    return repr(text) if " " in text or not text else text


async def cmd_check_config(env: CommandEnv) -> int:
    config = env.config  # raises ConfigError with every problem; main() prints it, exits 2
    if config.daemon.database is None or config.database_url.startswith("sqlite:"):
        problem = state_dir_problem(config.daemon.state_dir)
        if problem is not None:
            raise ConfigError(
                [ConfigProblem("daemon.state_dir", problem)], source=str(config.path or "")
            )
    # Hub-only commands work without them; what contacts a store (or the daemon) does not.
    warnings = unresolved_secrets(config)
    ops = sum(len(c.enabled_operations()) for c in config.connections.values())
    env.out.write(
        f"{config.path}: OK ({len(config.connections)} connection(s), {ops} enabled operation(s), "
        f"{len(config.sinks)} sink(s), {len(config.feeds)} feed(s))"
        + (f", {len(warnings)} warning(s)" if warnings else "")
        + "\n"
    )
    for warning in warnings:
        env.out.write(f"  warning: {warning}: needed to run (flxd run) and to contact the store\n")
    return 0
