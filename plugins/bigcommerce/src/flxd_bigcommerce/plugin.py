"""flxd hook implementations for BigCommerce. Hooks only register; the work lives elsewhere."""

from __future__ import annotations

import argparse

from flxd.plugin.hookspecs import hookimpl
from flxd.plugin.registry import ChannelType, Command, Registrar, WebRoute
from flxd_bigcommerce import oauth, webhooks
from flxd_bigcommerce.channel import OPERATIONS, BigCommerceChannel
from flxd_bigcommerce.config import BigCommerceSettings
from flxd_bigcommerce.policy import BigCommercePolicy


@hookimpl
def flxd_register_channels(register: Registrar[ChannelType]) -> None:
    register(
        ChannelType(
            name="bigcommerce",
            description="BigCommerce stores (API account or OAuth app)",
            connection_settings=BigCommerceSettings,
            operation_settings={op: spec.settings for op, spec in OPERATIONS.items()},
            create=BigCommerceChannel,
            http_policy=BigCommercePolicy(),
            authorize=oauth.authorize_url,
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


@hookimpl
def flxd_register_commands(register: Registrar[Command]) -> None:
    register(
        Command(
            name="sandbox",
            help="serve an emulated BigCommerce store (for trying flxd and for tests)",
            configure=_configure_sandbox,
            run=_run_sandbox,
        )
    )


__all__ = ["flxd_register_channels", "flxd_register_commands", "flxd_register_web_routes"]
