"""``python -m flxd_woocommerce.sandbox --port 8080 --seed-products 20 --tls ...``"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

import structlog

from flxd_woocommerce.sandbox.cli import configure_parser, serve_forever


async def _run(args: argparse.Namespace) -> int:
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    return await serve_forever(args)


def main(argv: list[str] | None = None) -> int:
    # Standalone, nobody else configures logging: logs go to stderr so stdout carries only the
    # banner (URLs and keys) that scripts and humans read.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    parser = argparse.ArgumentParser(
        prog="python -m flxd_woocommerce.sandbox",
        description="Serve emulated WooCommerce stores for flxd's tests, benchmarks and demos.",
    )
    configure_parser(parser)
    return asyncio.run(_run(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
