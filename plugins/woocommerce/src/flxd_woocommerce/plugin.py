"""flxd hook implementations for WooCommerce. Hooks only register; the work lives elsewhere."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable

from flxd.plugin import (
    ChannelSandbox,
    ChannelType,
    Operation,
    OperationSettings,
    OperationType,
    Registrar,
    RunContext,
    WebRoute,
    hookimpl,
)
from flxd_woocommerce import approval, config, webhooks
from flxd_woocommerce.channel import WooCommerceChannel
from flxd_woocommerce.client import WooClient
from flxd_woocommerce.features import SiteFeatures
from flxd_woocommerce.listings.importer import run_import
from flxd_woocommerce.listings.publisher import run_publish
from flxd_woocommerce.listings.syncer import run_sync
from flxd_woocommerce.orders.importer import run_get_orders
from flxd_woocommerce.orders.shipments import run_sync_orders
from flxd_woocommerce.policy import WooCommercePolicy
from flxd_woocommerce.reconcile import reconcile

__all__ = ["flxd_register_channels", "flxd_register_web_routes"]

Run = Callable[[WooClient, RunContext, SiteFeatures], Awaitable[None]]


def _operation(operation: Operation, settings: type[OperationSettings], run: Run) -> OperationType:
    async def with_client(channel: WooCommerceChannel, ctx: RunContext) -> None:
        # The client over the run's HTTP: a dry run's writes are recorded, not sent.
        await run(await channel.client_for(ctx.http), ctx, channel.features)

    return OperationType(operation=operation, settings=settings, run=with_client)


async def _publish(client: WooClient, ctx: RunContext, _: SiteFeatures) -> None:
    await run_publish(client, ctx)


async def _sync(client: WooClient, ctx: RunContext, _: SiteFeatures) -> None:
    await run_sync(client, ctx)


async def _get_orders(client: WooClient, ctx: RunContext, _: SiteFeatures) -> None:
    await run_get_orders(client, ctx)


OPERATIONS = (
    _operation(Operation.IMPORT_LISTINGS, config.ImportListingsSettings, run_import),
    _operation(Operation.PUBLISH_LISTINGS, config.PublishListingsSettings, _publish),
    _operation(Operation.SYNC_LISTINGS, config.SyncListingsSettings, _sync),
    _operation(Operation.GET_ORDERS, config.GetOrdersSettings, _get_orders),
    _operation(Operation.SYNC_ORDERS, config.SyncOrdersSettings, run_sync_orders),
)


def _configure_sandbox(parser: argparse.ArgumentParser) -> None:
    from flxd_woocommerce.sandbox.cli import configure_parser

    configure_parser(parser)


async def _serve_sandbox(args: argparse.Namespace) -> int:
    from flxd_woocommerce.sandbox.cli import serve_forever

    return await serve_forever(args)


SANDBOX = ChannelSandbox(
    help="serve an emulated WooCommerce store (for trying flxd and for tests)",
    configure=_configure_sandbox,
    serve=_serve_sandbox,
)


@hookimpl
def flxd_register_channels(register: Registrar[ChannelType]) -> None:
    register(
        ChannelType(
            name="woocommerce",
            description="WooCommerce sites (REST API keys, or the app approval flow)",
            connection_settings=config.WooCommerceSettings,
            operations=OPERATIONS,
            create=WooCommerceChannel,
            http_policy=WooCommercePolicy(),
            authorize=approval.authorize_url,
            # No quota to read: the limit is the site's server.
            concurrency="adaptive",
            sandbox=SANDBOX,
            reconcile=reconcile,
        )
    )


@hookimpl
def flxd_register_web_routes(register: Registrar[WebRoute]) -> None:
    # Public: WooCommerce sends no admin token; each handler makes its own check (a waiting
    # approval's state; the webhook signature).
    register(
        WebRoute(
            name="woocommerce-approval-callback",
            method="POST",
            path=approval.CALLBACK_PATH,
            handler=approval.callback,
            public=True,
        )
    )
    register(
        WebRoute(
            name="woocommerce-approval-return",
            method="GET",
            path=approval.RETURN_PATH,
            handler=approval.return_page,
            public=True,
        )
    )
    register(
        WebRoute(
            name="woocommerce-webhooks",
            method="POST",
            path=webhooks.PATH,
            handler=webhooks.receive,
            public=True,
        )
    )
