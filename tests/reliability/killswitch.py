"""A pass-through proxy between flxd and the sandbox that SIGKILLs flxd at the Nth request.

Kill moments are counted in requests, not in seconds, so a seed picks the same moments on a
fast laptop and a slow CI machine. At request N the proxy either kills flxd before the request
reaches the store ("before": the write never happened) or after the store has answered but
before flxd hears it ("after": the write happened and flxd cannot know). flxd blocks on that
request meanwhile, so the kill lands exactly there (other tasks may be mid-transaction).
"""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import anyio
from aiohttp import web
from anyio.abc import Process

__all__ = ["Armed", "KillSwitch", "kill_switch"]

_HOP = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}


@dataclass(slots=True)
class Armed:
    victim: Process
    at: int
    before: bool
    fired: bool = False
    request: str = ""
    """The request it fired at, e.g. `POST /stores/abc/v2/orders/101/shipments`."""


class KillSwitch:
    def __init__(self, upstream: str, session: aiohttp.ClientSession) -> None:
        self.upstream = upstream.rstrip("/")
        self.session = session
        self.url = ""
        self.armed: Armed | None = None
        self.seen = 0
        """Requests since the switch was last armed."""
        self.fired = anyio.Event()

    def arm(self, victim: Process, *, at: int, before: bool) -> None:
        self.armed = Armed(victim, at, before)
        self.seen = 0
        self.fired = anyio.Event()

    def disarm(self) -> None:
        self.armed = None

    def _kill(self, request: web.Request) -> None:
        armed = self.armed
        assert armed is not None
        armed.fired = True
        armed.request = f"{request.method} {request.rel_url.path_qs}"
        if armed.victim.returncode is None:
            armed.victim.send_signal(signal.SIGKILL)
        self.fired.set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen += 1
        armed = self.armed
        hit = armed is not None and not armed.fired and self.seen == armed.at
        if hit and armed is not None and armed.before:
            self._kill(request)
            return _drop(request)
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        async with self.session.request(
            request.method,
            self.upstream + request.rel_url.path_qs,
            data=body if body else None,
            headers=headers,
            allow_redirects=False,
        ) as answer:
            payload = await answer.read()
            status = answer.status
            reply_headers = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP}
        if hit:
            self._kill(request)
            return _drop(request)
        return web.Response(status=status, body=payload, headers=reply_headers)


def _drop(request: web.Request) -> web.StreamResponse:
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=499)


@asynccontextmanager
async def kill_switch(upstream: str) -> AsyncIterator[KillSwitch]:
    async with aiohttp.ClientSession() as session:
        switch = KillSwitch(upstream, session)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", switch.handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            host, port = runner.addresses[0][:2]
            switch.url = f"http://{host}:{port}"
            yield switch
        finally:
            with anyio.CancelScope(shield=True):
                await runner.cleanup()
