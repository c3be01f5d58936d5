"""The sandbox in a process of its own, for tests and benchmarks that kill, stop or load flxd
without touching the store (`python -m flxd_bigcommerce.sandbox` on a free port)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["SandboxProcess", "sandbox_process"]


class SandboxProcess:
    """Started with the sandbox's command-line arguments (`--stores 3 --quota 0 …`)."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flxd_bigcommerce.sandbox", "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        if not first.startswith("BigCommerce sandbox at "):
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"the sandbox did not start: {first!r}")
        self.base_url = first.split()[-1]
        # The banner goes on (a line per store); keep the pipe drained.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextmanager
def sandbox_process(*args: str) -> Iterator[SandboxProcess]:
    process = SandboxProcess(*args)
    try:
        yield process
    finally:
        process.stop()
