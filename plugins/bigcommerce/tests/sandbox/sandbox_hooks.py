"""A webhook receiver on a loopback port, and hook registration, for the sandbox tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from sandbox_env import Env

Received = list[tuple[dict[str, str], dict[str, Any]]]


@asynccontextmanager
async def receiver(status: int = 200) -> AsyncIterator[tuple[str, Received]]:
    received: Received = []

    async def handle(request: web.Request) -> web.Response:
        received.append((dict(request.headers), await request.json()))
        return web.Response(status=status, text="ok")

    app = web.Application()
    app.router.add_post("/hooks", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}/hooks", received
    finally:
        await runner.cleanup()


async def register(env: Env, scope: str, destination: str) -> dict[str, Any]:
    reply = await env.client.post(
        "/v3/hooks",
        {
            "scope": scope,
            "destination": destination,
            "is_active": True,
            "headers": {"X-Flxd-Secret": "s3cret"},
        },
    )
    assert reply.status == 200, reply.body
    hook: dict[str, Any] = reply.data["data"]
    return hook
