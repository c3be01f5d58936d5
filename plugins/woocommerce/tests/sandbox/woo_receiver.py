"""A webhook / callback receiver on a loopback port: records each request's raw body and
headers and answers with the status the test chooses (HTTPS with its own self-signed
certificate when asked)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web
from flxd_woocommerce.sandbox.tls import SelfSigned, make_certificate


@dataclass(frozen=True, slots=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200
    certificate: SelfSigned | None = None

    def bodies(self, path: str | None = None) -> list[bytes]:
        return [r.body for r in self.received if path is None or r.path == path]


@asynccontextmanager
async def receiver(*, tls: bool = False) -> AsyncIterator[Receiver]:
    certificate = make_certificate() if tls else None
    state = Receiver(url="", certificate=certificate)

    async def handle(request: web.Request) -> web.Response:
        state.received.append(Received(request.path, dict(request.headers), await request.read()))
        return web.Response(status=state.status, text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    context = certificate.server_context() if certificate else None
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    state.url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    try:
        yield state
    finally:
        await runner.cleanup()
