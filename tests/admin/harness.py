"""The admin server on a loopback port, wired to a real runner, hub and memory channel, in-process.

Time is a FakeClock; nothing is scheduled (the scheduler runs with no jobs), so runs happen only
when a test asks for them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import anyio
from flxd_memory.store import MemoryStore, stores
from pydantic import SecretStr

from flxd.admin.server import AdminServer
from flxd.admin.state import AdminState
from flxd.config import Config, parse_config
from flxd.daemon.delivery import Delivery
from flxd.daemon.metrics import Metrics
from flxd.daemon.scheduler import Scheduler
from flxd.hub.database import open_hub
from flxd.hub.outbox import Event
from flxd.operation import Operation
from flxd.plugin.manager import load_plugins
from flxd.plugin.registry import Registration, WebRoute
from flxd.runs.connections import build_runtime
from flxd.runs.runner import Runner
from flxd.runs.summary import RunKey, RunSummary
from flxd.store import Database
from flxd.testing import FakeClock

TOKEN = "admin-test-token-7f3a"
HOST = load_plugins()


class RecordingSink:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def deliver(self, events: list[Event]) -> None:
        self.events.extend(events)

    async def aclose(self) -> None:
        return None


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    text: str

    def json(self) -> Any:
        import json

        return json.loads(self.text)


@dataclass
class AdminHarness:
    url: str
    config: Config
    db: Database
    clock: FakeClock
    runner: Runner
    delivery: Delivery
    sink: RecordingSink
    metrics: Metrics
    remote: MemoryStore
    reloads: list[int] = field(default_factory=list)

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = TOKEN,
        json: Any = None,
        data: str | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        # A fresh cookie jar per call: a cookie is sent only when a test passes one.
        async with (
            aiohttp.ClientSession(cookies=dict(cookies or {})) as client,
            client.request(
                method, self.url + path, json=json, data=data, headers=sent, allow_redirects=False
            ) as response,
        ):
            return Reply(response.status, dict(response.headers), await response.text())

    async def run(self, operation: Operation) -> RunSummary:
        return await self.runner.run_now(RunKey("mem", operation), trigger="test")


def config_text(state: Path, store: str) -> str:
    return f"""
[daemon]
state_dir = "{state}"

[connections.mem]
channel = "memory"
token_env = "MEM_TOKEN"
store = "{store}"
seed_products = 3
seed_orders = 2

[connections.mem.get_orders]
enabled = true

[connections.mem.sync_orders]
enabled = true
"""


@asynccontextmanager
async def admin_server(
    tmp_path: Path,
    *,
    token: str | None = TOKEN,
    routes: Iterable[Registration[WebRoute]] = (),
    extra: str = "",
) -> AsyncIterator[AdminHarness]:
    store = f"admin-{tmp_path.name}"
    stores.pop(store, None)
    config = parse_config(
        config_text(tmp_path / "state", store) + extra,
        registries=HOST,
        environ={"MEM_TOKEN": "memory-token"},
        path=tmp_path / "flxd.toml",
    )
    clock = FakeClock()
    reloads: list[int] = []

    async def reload() -> None:
        reloads.append(1)

    async with open_hub(config) as db, aiohttp.ClientSession() as session:
        metrics = Metrics(clock)
        sink = RecordingSink()
        delivery = Delivery(db, clock, {"events": sink})
        runner = Runner(db=db, clock=clock, node="test", on_finished=metrics.run_finished)
        runner.connections = {
            name: build_runtime(
                conn,
                HOST.channels.get(conn.channel),  # type: ignore[arg-type]
                session=session,
                clock=clock,
                state_dir=config.daemon.state_dir,
            )
            for name, conn in config.connections.items()
        }
        await runner.load_health()
        scheduler = Scheduler(runner, clock)
        scheduler.start([])
        async with anyio.create_task_group() as tg:
            await tg.start(runner.serve)
            state = AdminState(
                config=lambda: config,
                token=lambda: SecretStr(token) if token else None,
                db=db,
                clock=clock,
                node="test-node",
                runner=runner,
                scheduler=scheduler,
                delivery=delivery,
                metrics=metrics,
                session=session,
                reload=reload,
            )
            server = AdminServer(state, listen="127.0.0.1:0", plugin_routes=routes)
            async with server.running() as url:
                yield AdminHarness(
                    url=url,
                    config=config,
                    db=db,
                    clock=clock,
                    runner=runner,
                    delivery=delivery,
                    sink=sink,
                    metrics=metrics,
                    remote=stores[store],
                    reloads=reloads,
                )
            scheduler.shutdown()
            # Let runs the API requested finish: a run cancelled while its BEGIN is in flight
            # leaves the SQLite connection inside a transaction (flxd/store/sqlite.py).
            await runner.wait_idle()
            await runner.drain(0)
            for runtime in runner.connections.values():
                await runtime.channel.aclose()  # the memory channel's store server stops
