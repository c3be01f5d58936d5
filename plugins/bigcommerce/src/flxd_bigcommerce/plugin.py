"""flxd hook implementations for BigCommerce. Hooks only register; the work lives elsewhere."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from flxd.plugin import (
    ChannelSandbox,
    ChannelStock,
    ChannelType,
    Operation,
    OperationSettings,
    OperationType,
    Registrar,
    RunContext,
    WebRoute,
    hookimpl,
)
from flxd_bigcommerce import config, oauth, webhooks
from flxd_bigcommerce.channel import BigCommerceChannel
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.listings.importer import run_import
from flxd_bigcommerce.listings.publisher import run_publish
from flxd_bigcommerce.listings.reconcile import read_stock
from flxd_bigcommerce.listings.syncer import run_sync
from flxd_bigcommerce.orders.importer import run_get_orders
from flxd_bigcommerce.orders.shipments import run_sync_orders
from flxd_bigcommerce.policy import BigCommercePolicy

Run = Callable[[BigCommerceClient, RunContext], Awaitable[None]]


def _operation(operation: Operation, settings: type[OperationSettings], run: Run) -> OperationType:
    async def with_client(channel: BigCommerceChannel, ctx: RunContext) -> None:
        # The client over the run's HTTP: a dry run's writes are recorded, not sent.
        await run(await channel.client_for(ctx.http), ctx)

    return OperationType(operation=operation, settings=settings, run=with_client)


OPERATIONS = (
    _operation(Operation.IMPORT_LISTINGS, config.ImportListingsSettings, run_import),
    _operation(Operation.PUBLISH_LISTINGS, config.PublishListingsSettings, run_publish),
    _operation(Operation.SYNC_LISTINGS, config.SyncListingsSettings, run_sync),
    _operation(Operation.GET_ORDERS, config.GetOrdersSettings, run_get_orders),
    _operation(Operation.SYNC_ORDERS, config.SyncOrdersSettings, run_sync_orders),
)


async def reconcile(
    channel: BigCommerceChannel, ctx: RunContext
) -> AsyncIterator[Sequence[ChannelStock]]:
    """The reconciliation reader over the run's HTTP (core's background share of the quota)."""
    async for page in read_stock(await channel.client_for(ctx.http), ctx):
        yield page


@hookimpl
def flxd_register_channels(register: Registrar[ChannelType]) -> None:
    register(
        ChannelType(
            name="bigcommerce",
            description="BigCommerce stores (API account or OAuth app)",
            connection_settings=config.BigCommerceSettings,
            operations=OPERATIONS,
            create=BigCommerceChannel,
            http_policy=BigCommercePolicy(),
            authorize=oauth.authorize_url,
            sandbox=SANDBOX,
            reconcile=reconcile,
        )
    )


@hookimpl
def flxd_register_web_routes(register: Registrar[WebRoute]) -> None:
    # Public: BigCommerce's browser redirect carries no admin token; the handler checks that an
    # approval for that store was started and exchanges the single-use code.
    register(
        WebRoute(
            name="bigcommerce-oauth-callback",
            method="GET",
            path=oauth.CALLBACK_PATH,
            handler=oauth.callback,
            public=True,
        )
    )
    # Public: BigCommerce sends no admin token; the handler checks the hook's secret header.
    register(
        WebRoute(
            name="bigcommerce-webhooks",
            method="POST",
            path=webhooks.PATH,
            handler=webhooks.receive,
            public=True,
        )
    )


def _configure_sandbox(parser: argparse.ArgumentParser) -> None:
    from flxd_bigcommerce.sandbox.cli import configure_parser

    configure_parser(parser)


async def _run_sandbox(args: argparse.Namespace) -> int:
    from flxd_bigcommerce.sandbox.cli import serve_forever

    return await serve_forever(args)


SANDBOX = ChannelSandbox(
    help="serve an emulated BigCommerce store (for trying flxd and for tests)",
    configure=_configure_sandbox,
    serve=_run_sandbox,
)


__all__ = ["flxd_register_channels", "flxd_register_web_routes"]
