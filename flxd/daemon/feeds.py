"""Running the configured feeds (`[feeds.NAME]`): each once before `run --once` runs the
connections' operations (so a supplier file's rows reach the channels in the same run), and each
on its own interval in the daemon.

A feed that fails is logged and tried again at its next interval; it never stops the others or
the connections. A feed's settings say how often it runs with an `interval` key (default 5m).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import anyio
import structlog

from flxd.clock import Clock
from flxd.config import Config
from flxd.plugin.context import FeedServices
from flxd.plugin.manager import PluginHost
from flxd.plugin.registry import Feed
from flxd.store import Database

__all__ = ["FeedResult", "FeedRunner"]

DEFAULT_INTERVAL = 300.0
log = structlog.get_logger("flxd.feeds")


@dataclass(frozen=True, slots=True)
class FeedResult:
    name: str
    counts: Mapping[str, int] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Scheduled:
    """A configured feed, built, with its interval."""

    name: str
    feed: Feed
    interval: float


class FeedRunner:
    def __init__(self, config: Config, host: PluginHost, db: Database, clock: Clock) -> None:
        self._host = host
        self._db = db
        self._clock = clock
        self._feeds = self._build(config)
        self._scope: anyio.CancelScope | None = None

    def _build(self, config: Config) -> list[_Scheduled]:
        feeds = []
        for name, table in sorted(config.feeds.items()):
            feed_type = self._host.feeds.get(table.type)
            assert feed_type is not None  # the config loader checked it
            interval = getattr(table.settings, "interval", DEFAULT_INTERVAL)
            feeds.append(_Scheduled(name, feed_type.create(table.settings), float(interval)))
        return feeds

    async def run_all(self) -> list[FeedResult]:
        """Every feed once, one after the other."""
        return [await self._run(feed) for feed in self._feeds]

    async def serve(self) -> None:
        """Run every feed on its interval until cancelled (or until `replace`)."""
        while True:
            with anyio.CancelScope() as scope:
                self._scope = scope
                async with anyio.create_task_group() as tg:
                    for feed in self._feeds:
                        tg.start_soon(self._loop, feed)
                    await anyio.sleep_forever()

    def replace(self, config: Config) -> None:
        """Use the feeds of a reloaded config (the running loops restart with them)."""
        self._feeds = self._build(config)
        if self._scope is not None:
            self._scope.cancel()

    async def _loop(self, feed: _Scheduled) -> None:
        while True:
            await self._run(feed)
            await self._clock.sleep(feed.interval)

    async def _run(self, feed: _Scheduled) -> FeedResult:
        services = FeedServices(
            name=feed.name, db=self._db, clock=self._clock, log=log.bind(feed=feed.name)
        )
        started = self._clock.monotonic()
        # Like the runner for operations, the one place a feed's failure is caught broadly:
        # a broken file or plugin must not stop the daemon or the other feeds.
        try:
            counts = dict(await feed.feed.run(services))
        except Exception as exc:
            log.exception("feed failed", feed=feed.name)
            return FeedResult(feed.name, error=f"{type(exc).__name__}: {exc}")
        log.info(
            "feed finished",
            feed=feed.name,
            duration_s=round(self._clock.monotonic() - started, 3),
            **counts,
        )
        return FeedResult(feed.name, counts)
