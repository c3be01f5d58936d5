"""Running `flxd` in tests: in-process for what it prints, or as a process for what only a
process shows (a closed pipe, what Python does at exit)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import structlog

from flxd.cli import main

__all__ = ["MEMORY_TOKEN", "Result", "flxd", "flxd_process", "memory_config"]

MEMORY_TOKEN = "memory-token"
"""The token the memory channel's pretend store accepts."""


@dataclass(frozen=True, slots=True)
class Result:
    code: int
    out: str
    err: str


@contextlib.contextmanager
def _environ(changes: Mapping[str, str | None]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in changes}
    try:
        for name, value in changes.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def flxd(config: Path, *args: str, env: Mapping[str, str | None] | None = None) -> Result:
    """`flxd --config CONFIG ARGS…` in this process; `env` sets (or, with None, unsets)
    environment variables for the call."""
    out, err = io.StringIO(), io.StringIO()
    with _environ(env or {}), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--config", str(config), *args])
        except SystemExit as exc:  # argparse: --help, or a usage error
            code = int(exc.code or 0)
        finally:
            structlog.reset_defaults()  # the command pointed logging at `err`
    return Result(code, out.getvalue(), err.getvalue())


def flxd_process(
    config: Path | None,
    *args: str,
    env: Mapping[str, str | None] | None = None,
    stdout: int | None = subprocess.PIPE,
    cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`flxd` as a process; standard error is captured, standard output goes to `stdout`."""
    environ = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    head = ["--config", str(config)] if config is not None else []
    return subprocess.run(
        [sys.executable, "-m", "flxd", *head, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def memory_config(
    tmp: Path, *, connections: Mapping[str, str] | None = None, extra: str = ""
) -> Path:
    """A config of memory-channel connections (name -> the variable holding its token), each
    with its own pretend store kept in a file, every operation enabled."""
    text = "[daemon]\nstate_dir = 'state'\n" + extra
    for name, variable in (connections or {"shop1": "SHOP1_TOKEN"}).items():
        text += (
            f"\n[connections.{name}]\nchannel = 'memory'\nstore = '{tmp}/{name}'\n"
            f"token_env = '{variable}'\nstate_file = '{name}-store.json'\nseed_products = 3\n"
            "seed_orders = 2\n"
        )
        for operation in (
            "import_listings",
            "publish_listings",
            "sync_listings",
            "get_orders",
            "sync_orders",
        ):
            text += f"[connections.{name}.{operation}]\nenabled = true\n"
    path = tmp / "flxd.toml"
    path.write_text(text)
    return path
