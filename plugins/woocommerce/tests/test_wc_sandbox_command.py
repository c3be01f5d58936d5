"""`flxd sandbox woocommerce` serves the emulated store with its options; `flxd sandbox` alone
still serves BigCommerce's, as before there were two."""

from __future__ import annotations

import subprocess
import sys

import pytest
from flxd_woocommerce.sandbox.cli import config_from_args
from wc_env import HOST

from flxd.testing import build_parser


def parse(*argv: str):  # type: ignore[no-untyped-def]
    parser = build_parser([r.item for r in HOST.commands], [r.item for r in HOST.channels])
    return parser.parse_args(["sandbox", *argv])


def test_each_channel_has_its_sandbox_and_the_first_is_the_default() -> None:
    woo = parse("woocommerce", "--seed-products", "3", "--tls", "--workers", "4")
    assert woo.sandbox_channel == "woocommerce"
    config = config_from_args(woo)
    assert (config.seed_products, config.tls, config.capacity.workers) == (3, True, 4)
    plain = parse("--quota", "5")
    assert (plain.sandbox_channel, plain.sandbox_choice, plain.quota) == ("bigcommerce", None, 5)
    assert parse("bigcommerce", "--quota", "7").quota == 7
    with pytest.raises(SystemExit):
        parse("woocommerce", "--quota", "5")  # BigCommerce's option, not WooCommerce's


def test_flxd_sandbox_woocommerce_serves_until_stopped() -> None:
    command = [sys.executable, "-m", "flxd", "sandbox", "woocommerce", "--seed-products", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert banner.startswith("WooCommerce sandbox at http://127.0.0.1:"), banner
        process.stdout.readline()  # the control API
        store = process.stdout.readline()
        assert "store shop1:" in store and " key ck_" in store
    finally:
        process.terminate()
        process.wait(timeout=30)
