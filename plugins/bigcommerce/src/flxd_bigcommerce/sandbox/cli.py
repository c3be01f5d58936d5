"""Command-line pieces for ``flxd sandbox`` (and ``python -m flxd_bigcommerce.sandbox``).

The core's CLI never imports this module itself; the plugin contributes the command through a
hook and hands over these two functions: one adds the options, the other serves until
cancelled.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import structlog

from flxd_bigcommerce.sandbox.behaviour import BEHAVIOURS, PessimisticSettings, check_name
from flxd_bigcommerce.sandbox.config import SandboxConfig
from flxd_bigcommerce.sandbox.faults import PROFILES
from flxd_bigcommerce.sandbox.server import Sandbox

__all__ = ["banner", "config_from_args", "configure_parser", "serve_forever"]

log = structlog.get_logger(__name__)


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more seconds")
    return value


def _page_limit(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 250:
        raise argparse.ArgumentTypeError("must be between 1 and 250 (250: no clamp)")
    return value


# Options that tune the pessimistic behaviour: (flag, setting, type, help).
_PESSIMISM_OPTIONS: tuple[tuple[str, str, Any, str], ...] = (
    ("--visibility-delay", "visibility_delay", _seconds, "seconds before stock/price writes show"),
    ("--order-listing-lag", "order_listing_lag", _seconds, "seconds before new orders are listed"),
    ("--partial-write-rate", "partial_write_rate", _rate, "share of stock writes answered 207"),
    ("--webhook-max-delay", "webhook_max_delay", _seconds, "webhooks wait 0..this many seconds"),
    ("--webhook-duplicate-rate", "webhook_duplicate_rate", _rate, "share of webhooks sent twice"),
    ("--webhook-loss-rate", "webhook_loss_rate", _rate, "share of webhooks never sent"),
    ("--bare-429-rate", "bare_429_rate", _rate, "share of quota 429s without rate headers"),
    ("--variants-page-limit", "variants_page_limit", _page_limit, "page clamp with variants"),
    ("--v2-page-limit", "v2_page_limit", _page_limit, "page clamp of V2 lists"),
    (
        "--metafield-batch-limit",
        "metafield_batch_limit",
        _non_negative,
        "most order metafields a batch takes (0: no limit)",
    ),
)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox's options to ``parser``."""
    defaults = SandboxConfig()
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=_non_negative, default=0, help="port to bind; 0 picks a free one"
    )
    parser.add_argument(
        "--stores", type=_non_negative, default=defaults.stores, help="stores to create"
    )
    parser.add_argument(
        "--store-hash",
        action="append",
        default=[],
        metavar="HASH",
        help="explicit store hash (repeatable); others are generated from --seed",
    )
    parser.add_argument(
        "--seed-products", type=_non_negative, default=0, help="products seeded per store"
    )
    parser.add_argument(
        "--seed-orders", type=_non_negative, default=0, help="orders seeded per store"
    )
    parser.add_argument(
        "--quota",
        type=_non_negative,
        default=defaults.quota,
        help="requests per window and store; 0 turns quotas off (default: %(default)s)",
    )
    parser.add_argument(
        "--window-ms",
        type=_positive,
        default=defaults.window_ms,
        help="quota window in milliseconds (default: %(default)s)",
    )
    parser.add_argument(
        "--concurrency", type=_non_negative, default=0, help="in-flight cap per store; 0: none"
    )
    parser.add_argument(
        "--faults", choices=sorted(PROFILES), default=None, help="fault profile to inject"
    )
    parser.add_argument("--fault-rate", type=_rate, default=None, help="override its fault rate")
    parser.add_argument(
        "--fault-slow-ms",
        type=_positive,
        default=defaults.fault_slow_ms,
        help="how long a 'slow' fault holds its answer (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed for data, hashes, tokens and faults"
    )
    parser.add_argument(
        "--state", type=Path, default=None, metavar="FILE", help="load and save state here"
    )
    parser.add_argument(
        "--no-webhooks", action="store_true", help="do not deliver registered webhooks"
    )
    parser.add_argument(
        "--behaviour",
        choices=BEHAVIOURS,
        default=defaults.behaviour,
        help="documented: as BigCommerce's documents say; pessimistic: where they are silent, "
        "the reading worst for a syncing client (default: %(default)s)",
    )
    knobs = parser.add_argument_group(
        "pessimistic behaviour", "tune --behaviour pessimistic (defaults in brackets)"
    )
    pessimistic = PessimisticSettings()
    metavars = {_seconds: "SECONDS", _rate: "RATE", _page_limit: "N", _non_negative: "N"}
    for flag, name, kind, text in _PESSIMISM_OPTIONS:
        knobs.add_argument(
            flag,
            type=kind,
            default=None,
            dest=name,
            metavar=metavars[kind],
            help=f"{text} [{getattr(pessimistic, name)}]",
        )
    knobs.add_argument(
        "--stock-bumps-date-modified",
        action="store_const",
        const=False,
        default=None,
        dest="date_modified_on_product_fields_only",
        help="variant and stock writes move the product's date_modified after all",
    )
    knobs.add_argument(
        "--inclusive-v2-date-bounds",
        action="store_const",
        const=False,
        default=None,
        dest="exclusive_v2_date_bounds",
        help="V2 min_/max_date_* include their bound after all",
    )


def _pessimism_from_args(args: argparse.Namespace) -> PessimisticSettings:
    names = [name for _, name, _, _ in _PESSIMISM_OPTIONS]
    names += ["date_modified_on_product_fields_only", "exclusive_v2_date_bounds"]
    given = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    if given and args.behaviour != "pessimistic":
        flags = ", ".join("--" + n.replace("_", "-") for n in sorted(given))
        raise ValueError(f"{flags} tune the pessimistic behaviour: add --behaviour pessimistic")
    return replace(PessimisticSettings(), **given)


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    """The config the options ask for; ValueError (saying which options) when they conflict."""
    return SandboxConfig(
        behaviour=check_name(args.behaviour),
        pessimism=_pessimism_from_args(args),
        stores=args.stores,
        store_hashes=tuple(args.store_hash),
        seed_products=args.seed_products,
        seed_orders=args.seed_orders,
        quota=args.quota or None,
        window_ms=args.window_ms,
        concurrency=args.concurrency or None,
        faults=args.faults,
        fault_rate=args.fault_rate,
        fault_slow_ms=args.fault_slow_ms,
        seed=args.seed,
        state_file=args.state,
        webhooks=not args.no_webhooks,
    )


def banner(sandbox: Sandbox, base_url: str) -> str:
    """What a human needs to start using the sandbox with curl."""
    app = sandbox.config.oauth
    lines = [
        f"BigCommerce sandbox at {base_url}",
        f"  login service: {base_url}/login "
        f"(OAuth client id {app.client_id}, client secret {app.client_secret})",
        f"  control API:   {base_url}/__sandbox/stores",
        f"  behaviour:     {sandbox.behaviour.name}",
    ]
    for store_hash in sandbox.store_hashes:
        token = sandbox.default_token(store_hash)
        api_path = f"{base_url}/stores/{store_hash}/"
        lines += [
            f"  store {store_hash}: {api_path}  X-Auth-Token: {token}",
            f"    curl -H 'X-Auth-Token: {token}' {api_path}v3/catalog/products",
        ]
    return "\n".join(lines) + "\n"


async def serve_forever(args: argparse.Namespace) -> int:
    """Serve until cancelled, then save ``--state`` and return 0.

    The caller turns SIGINT/SIGTERM into a cancellation; for a top-level command that is a
    normal way to stop, so it ends here with status 0 rather than as an error.
    """
    try:
        config = config_from_args(args)
    except ValueError as exc:
        sys.stderr.write(f"sandbox: {exc}\n")
        return 2
    sandbox = Sandbox(config)
    try:
        async with sandbox.serve(args.host, args.port) as base_url:
            sys.stdout.write(banner(sandbox, base_url))
            sys.stdout.flush()
            await anyio.sleep_forever()
    except anyio.get_cancelled_exc_class():
        log.info("sandbox.stopped", state_file=str(args.state) if args.state else None)
        return 0
    return 0
