"""systemd's notify protocol (sd_notify) in a few lines: READY, STOPPING, WATCHDOG, STATUS.
Does nothing when the daemon was not started by systemd (no NOTIFY_SOCKET)."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

__all__ = ["Notifier"]


class Notifier:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        self._address: str | None = None
        if address:
            # A leading '@' names a socket in the abstract namespace.
            self._address = "\0" + address[1:] if address.startswith("@") else address
        usec = env.get("WATCHDOG_USEC", "")
        self.watchdog_interval: float | None = (
            int(usec) / 1_000_000 / 2 if usec.isdigit() and int(usec) > 0 else None
        )

    @property
    def enabled(self) -> bool:
        return self._address is not None

    def send(self, *lines: str) -> None:
        if self._address is None:
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(self._address)
            sock.sendall("\n".join(lines).encode())

    def ready(self, status: str = "") -> None:
        self.send("READY=1", f"STATUS={status}" if status else "STATUS=running")

    def stopping(self) -> None:
        self.send("STOPPING=1", "STATUS=stopping")

    def reloading(self) -> None:
        self.send("RELOADING=1")

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")
