"""`flxd` as an operator runs it: a subprocess with its JSON log appended to a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import Process

__all__ = ["bc_connection", "flxd", "log_lines", "run_flxd"]


def bc_connection(
    name: str,
    *,
    store: str,
    api_base_url: str,
    token_env: str,
    extra: str = "",
    operations: Mapping[str, str] | None = None,
) -> str:
    """A BigCommerce connection table; `operations` maps an operation to its extra keys."""
    text = (
        f'[connections.{name}]\nchannel = "bigcommerce"\nstore_hash = "{store}"\n'
        f'access_token_env = "{token_env}"\napi_base_url = "{api_base_url}"\n{extra}\n'
    )
    for operation, keys in (operations or {}).items():
        text += f"[connections.{name}.{operation}]\nenabled = true\n{keys}\n"
    return text


@asynccontextmanager
async def flxd(
    config: Path, *args: str, log: Path, env: Mapping[str, str] | None = None
) -> AsyncIterator[Process]:
    """Start `flxd --config CONFIG --log-level debug ARGS`; its output is appended to `log`.
    Killed (if still running) when the block ends."""
    with log.open("ab") as handle:
        process = await anyio.open_process(
            [sys.executable, "-m", "flxd", "--config", str(config), "--log-level", "debug", *args],
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.kill()
            with anyio.CancelScope(shield=True):
                await process.wait()


async def run_flxd(
    config: Path, *args: str, log: Path, env: Mapping[str, str] | None = None
) -> int:
    """Run flxd to the end; its exit status."""
    async with flxd(config, *args, log=log, env=env) as process:
        return await process.wait()


def log_lines(log: Path) -> list[dict[str, Any]]:
    """The JSON log lines in `log` (progress lines and other text are left out)."""
    found = []
    for raw in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if raw.startswith("{"):
            try:
                found.append(json.loads(raw))
            except ValueError:
                continue  # a line cut short by SIGKILL
    return found
