"""`flxd` as a subprocess whose JSON log lines a test follows (no sleeping: reads block).

For tests that drive the daemon the way an operator does: start it, wait for what it logs,
send it signals, and look at its database afterwards. `FLXD_TEST_WAIT` (seconds, default 60)
bounds every wait."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anyio.to_thread

TIMEOUT = float(os.environ.get("FLXD_TEST_WAIT", "60"))


class DaemonProcess:
    def __init__(self, config: Path, *args: str, env: Mapping[str, str] | None = None) -> None:
        self.lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flxd",
                "--config",
                str(config),
                "--log-level",
                "debug",
                "run",
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                self.lines.put(json.loads(raw))
            except ValueError:
                self.lines.put({"event": "(not json)", "text": raw.rstrip()})
        self.lines.put(None)

    def wait_for(self, event: str, **fields: Any) -> dict[str, Any]:
        """The next log line with this event (and these fields); fails on exit or timeout.
        The timeout bounds the whole wait: a daemon that keeps logging other lines must not
        keep a test waiting for ever."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no {event!r} within {TIMEOUT}s; saw {self.seen[-5:]}"
                ) from None
            if line is None:
                raise AssertionError(f"flxd exited before {event!r}; saw {self.seen[-8:]}")
            self.seen.append(line)
            if line.get("event") == event and all(line.get(k) == v for k, v in fields.items()):
                return line

    async def until(self, event: str, **fields: Any) -> dict[str, Any]:
        """`wait_for` from async code: waits in a thread, so a server the test runs on its own
        event loop (the sandbox) keeps answering the daemon meanwhile."""
        return await anyio.to_thread.run_sync(lambda: self.wait_for(event, **fields))

    def signal(self, signum: signal.Signals) -> None:
        self.proc.send_signal(signum)

    def wait(self) -> int:
        code = self.proc.wait(timeout=TIMEOUT)
        while (line := self.lines.get(timeout=TIMEOUT)) is not None:
            self.seen.append(line)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (for a daemon's admin server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
