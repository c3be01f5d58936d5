"""What a command needs, loaded on first use: plugins, config, hub, logging."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TextIO

from flxd.config import Config, find_config, load_config
from flxd.logging import Redactor, configure_logging
from flxd.plugin.manager import PluginHost, load_plugins
from flxd.store import Database

__all__ = ["CommandEnv", "Handler"]


class CommandEnv:
    def __init__(self, args: argparse.Namespace, host: PluginHost | None = None) -> None:
        self.args = args
        self._host = host
        self._config: Config | None = None
        self.redactor: Redactor | None = None
        self.out: TextIO = sys.stdout

    @property
    def host(self) -> PluginHost:
        if self._host is None:
            self._host = load_plugins()
        return self._host

    @property
    def config(self) -> Config:
        if self._config is None:
            path = find_config(self.args.config, os.environ)
            self._config = load_config(path, self.host)
        return self._config

    def setup_logging(self, *, stream: TextIO | None = None) -> None:
        config = self.config
        self.redactor = configure_logging(
            level=self.args.log_level or config.logging.level,
            format=config.logging.format,
            stream=stream or sys.stderr,
            secrets=config.secret_values(),
        )

    @asynccontextmanager
    async def hub(self) -> AsyncIterator[Database]:
        from flxd.hub.database import open_hub

        self.setup_logging()
        async with open_hub(self.config) as db:
            yield db


Handler = Callable[[CommandEnv], Awaitable[int]]
