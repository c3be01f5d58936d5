"""What a command needs, loaded on first use: plugins, config, hub, logging."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TextIO

from flxd.config import Config, find_config, load_config
from flxd.config.secrets import require_secrets
from flxd.logging import Redactor, configure_logging
from flxd.plugin.manager import PluginHost, load_plugins
from flxd.store import Database

__all__ = ["CLI_LOG_LEVEL", "CommandEnv", "Handler"]

CLI_LOG_LEVEL = "warning"
"""The least a command (anything but the daemon) logs, so its own output is not buried in
info lines; `--log-level` says otherwise."""


class CommandEnv:
    def __init__(self, args: argparse.Namespace, host: PluginHost | None = None) -> None:
        self.args = args
        self._host = host
        self._config: Config | None = None
        self.redactor: Redactor | None = None
        self.out: TextIO = sys.stdout
        self.err: TextIO = sys.stderr

    @property
    def host(self) -> PluginHost:
        if self._host is None:
            self._host = load_plugins()
        return self._host

    @property
    def config(self) -> Config:
        """The config, with secrets that cannot be read left as placeholders: a command asks
        for the ones it needs with `need_secrets`."""
        if self._config is None:
            path = find_config(self.args.config, os.environ)
            self._config = load_config(path, self.host, defer_secrets=True)
        return self._config

    def need_secrets(self, *within: str) -> None:
        """ConfigError naming each secret under these key paths ("connections.shop1",
        "daemon"; "" for all) that cannot be read."""
        require_secrets(self.config, within)

    def setup_logging(self, *, stream: TextIO | None = None, daemon: bool = False) -> None:
        """The daemon logs at `[logging] level`; other commands at warning and above, unless
        `--log-level` (or a quieter `[logging] level`) says otherwise."""
        config = self.config
        level = self.args.log_level or config.logging.level
        if not daemon and self.args.log_level is None:
            level = max(level, CLI_LOG_LEVEL, key=lambda name: logging.getLevelName(name.upper()))
        self.redactor = configure_logging(
            level=level,
            format=config.logging.format,
            stream=stream or sys.stderr,
            secrets=config.secret_values(),
        )

    @asynccontextmanager
    async def hub(self, *, create: bool) -> AsyncIterator[Database]:
        """The hub. Without `create` (commands that read, or change what must exist already)
        none is created: HubMissing instead. With it, a new, empty hub is announced on
        standard error."""
        from flxd.hub.database import open_hub

        self.setup_logging()
        async with open_hub(self.config, create=create, creating=self.creating_hub) as db:
            yield db

    def creating_hub(self, location: str) -> None:
        self.err.write(f"flxd: creating a new, empty hub at {location}\n")
        self.err.flush()


Handler = Callable[[CommandEnv], Awaitable[int]]
