"""Command-line pieces for ``python -m flxd_woocommerce.sandbox`` (and, later, ``flxd sandbox
woocommerce``): one function adds the options, one serves until cancelled."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import anyio
import structlog

from flxd_woocommerce.sandbox.config import BEHAVIOURS, CapacityConfig, SandboxConfig
from flxd_woocommerce.sandbox.faults import PROFILES
from flxd_woocommerce.sandbox.server import Sandbox

__all__ = ["banner", "config_from_args", "configure_parser", "serve_forever"]

log = structlog.get_logger(__name__)


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox's options to ``parser``."""
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    add("--port", type=_non_negative, default=0, help="port to bind; 0 picks a free one")
    add("--stores", type=_non_negative, default=1, help="stores to create (default: %(default)s)")
    add("--store", action="append", default=[], metavar="NAME", help="a store's name (repeatable)")
    add("--seed-products", type=_non_negative, default=0, help="products seeded per store")
    add("--seed-orders", type=_non_negative, default=0, help="orders seeded per store")
    add("--seed", type=int, default=0, help="seed for data, keys, faults and pessimism")
    add("--behaviour", choices=BEHAVIOURS, default="documented", help="documented or pessimistic")
    add("--tls", action="store_true", help="serve HTTPS with a self-signed certificate")
    add("--cert-out", type=Path, default=None, metavar="FILE", help="write the certificate here")
    add("--timezone", default="-03:00", help="site timezone: UTC, +HH:MM or an IANA name")
    add("--no-permalinks", action="store_true", help="plain permalinks: /wp-json/ answers 404")
    add("--shipment-tracking", action="store_true", help="with the Shipment Tracking extension")
    add("--workers", type=_non_negative, default=0, help="PHP workers per store; 0: unlimited")
    add("--backlog", type=_non_negative, default=0, help="requests queued beyond the workers")
    add("--service-ms", type=float, default=0.0, help="time one request takes (default: 0)")
    add("--overload-status", type=int, choices=(429, 503), default=503, help="refusal status")
    add("--faults", choices=sorted(PROFILES), default=None, help="fault profile to inject")
    add("--fault-rate", type=_rate, default=None, help="override its fault rate")
    add("--state", type=Path, default=None, metavar="FILE", help="load and save state here")
    add("--no-webhooks", action="store_true", help="do not deliver webhooks")


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        stores=args.stores,
        store_names=tuple(args.store),
        seed_products=args.seed_products,
        seed_orders=args.seed_orders,
        seed=args.seed,
        behaviour=args.behaviour,
        tls=args.tls,
        site_timezone=args.timezone,
        permalinks=not args.no_permalinks,
        shipment_tracking=args.shipment_tracking,
        capacity=CapacityConfig(
            workers=args.workers or None,
            backlog=args.backlog,
            service_ms=args.service_ms,
            overload_status=args.overload_status,
        ),
        faults=args.faults,
        fault_rate=args.fault_rate,
        state_file=args.state,
        webhooks=not args.no_webhooks,
    )


def banner(sandbox: Sandbox, base_url: str) -> str:
    """What a human needs to start using the sandbox with curl."""
    lines = [f"WooCommerce sandbox at {base_url}", f"  control API: {base_url}/__sandbox/stores"]
    for name in sandbox.store_names:
        key = sandbox.default_key(name)
        site = sandbox.site_url(name)
        lines.append(f"  store {name}: {site}  key {key.consumer_key} secret {key.consumer_secret}")
        if sandbox.https:
            lines.append(
                f"    curl --cacert CERT -u {key.consumer_key}:{key.consumer_secret} "
                f"{site}/wp-json/wc/v3/products"
            )
    return "\n".join(lines) + "\n"


async def serve_forever(args: argparse.Namespace) -> int:
    """Serve until cancelled, then save ``--state`` and return 0."""
    sandbox = Sandbox(config_from_args(args))
    if args.cert_out is not None:
        sandbox.write_certificate(args.cert_out)
    try:
        async with sandbox.serve(args.host, args.port) as base_url:
            sys.stdout.write(banner(sandbox, base_url))
            sys.stdout.flush()
            await anyio.sleep_forever()
    except anyio.get_cancelled_exc_class():
        log.info("sandbox.stopped", state_file=str(args.state) if args.state else None)
        return 0
    return 0
