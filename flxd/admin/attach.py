"""The admin server serving alongside the daemon: `Daemon(..., attachments=[serve_admin])`."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from flxd.admin.auth import resolve_token
from flxd.admin.server import AdminServer
from flxd.admin.state import AdminState
from flxd.daemon.lifecycle import Daemon

__all__ = ["serve_admin"]


@asynccontextmanager
async def serve_admin(daemon: Daemon) -> AsyncIterator[None]:
    """Listen (unless `[admin] enabled = false` and no --admin-listen) until the block ends."""
    config = daemon.config
    if not config.admin.enabled:
        yield
        return
    runner, delivery, scheduler = daemon.runner, daemon.delivery, daemon.scheduler
    db, session = daemon.db, daemon.session
    assert runner is not None and delivery is not None and scheduler is not None
    assert db is not None and session is not None
    token = resolve_token(config.admin, os.environ)
    if token is not None and daemon.redactor is not None:
        daemon.redactor.add([token.get_secret_value()])  # $FLXD_ADMIN_TOKEN is not in config
    state = AdminState(
        config=lambda: daemon.config,
        token=lambda: resolve_token(daemon.config.admin, os.environ),
        db=db,
        clock=daemon.clock,
        node=daemon.node,
        runner=runner,
        scheduler=scheduler,
        delivery=delivery,
        metrics=daemon.metrics,
        session=session,
        reload=daemon.reload,
        leases=daemon.leases,
    )
    server = AdminServer(state, listen=config.admin.listen, plugin_routes=daemon.host.web_routes)
    async with server.running() as url:
        daemon.serving_admin_at(url.removeprefix("http://"))
        yield
