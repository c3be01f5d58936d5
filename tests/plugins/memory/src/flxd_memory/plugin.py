"""Registers the memory channel, exactly as a third-party channel would: each operation is
declared once, with its settings and the function that runs it."""

from __future__ import annotations

from flxd.plugin import (
    ChannelType,
    ImportListingsSettings,
    Operation,
    OperationType,
    PublishListingsSettings,
    Registrar,
    RunContext,
    SyncListingsSettings,
    SyncOrdersSettings,
    hookimpl,
    import_pages,
)
from flxd_memory import listings, orders
from flxd_memory.api import MemoryPolicy
from flxd_memory.channel import GetOrdersSettings, MemoryChannel, MemorySettings
from flxd_memory.stock import read_stock


async def import_listings(channel: MemoryChannel, ctx: RunContext) -> None:
    api = await channel.api(ctx.http)
    await import_pages(ctx, listings.product_pages(api, ctx, channel.settings.page_size))


async def publish_listings(channel: MemoryChannel, ctx: RunContext) -> None:
    await listings.publish(await channel.api(ctx.http), ctx, channel.settings.page_size)


async def sync_listings(channel: MemoryChannel, ctx: RunContext) -> None:
    await listings.sync(await channel.api(ctx.http), ctx)


async def get_orders(channel: MemoryChannel, ctx: RunContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, GetOrdersSettings)
    api = await channel.api(ctx.http)
    await orders.get_orders(api, ctx, settings.statuses, channel.settings.page_size)


async def sync_orders(channel: MemoryChannel, ctx: RunContext) -> None:
    await orders.sync_orders(await channel.api(ctx.http), ctx, channel.settings.page_size)


@hookimpl
def flxd_register_channels(register: Registrar[ChannelType]) -> None:
    register(
        ChannelType(
            name="memory",
            description="example channel over an in-memory store on loopback (tests)",
            connection_settings=MemorySettings,
            operations=(
                OperationType(
                    operation=Operation.IMPORT_LISTINGS,
                    settings=ImportListingsSettings,
                    run=import_listings,
                ),
                OperationType(
                    operation=Operation.PUBLISH_LISTINGS,
                    settings=PublishListingsSettings,
                    run=publish_listings,
                ),
                OperationType(
                    operation=Operation.SYNC_LISTINGS,
                    settings=SyncListingsSettings,
                    run=sync_listings,
                ),
                OperationType(
                    operation=Operation.GET_ORDERS, settings=GetOrdersSettings, run=get_orders
                ),
                OperationType(
                    operation=Operation.SYNC_ORDERS, settings=SyncOrdersSettings, run=sync_orders
                ),
            ),
            create=MemoryChannel,
            http_policy=MemoryPolicy(),
            reconcile=read_stock,
        )
    )
