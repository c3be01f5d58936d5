"""An emulated WooCommerce store (placeholder docstring, completed below)."""

from flxd_woocommerce.sandbox.clock import SandboxClock, SystemClock
from flxd_woocommerce.sandbox.config import CapacityConfig, PessimismConfig, SandboxConfig
from flxd_woocommerce.sandbox.orders.book import CartLine
from flxd_woocommerce.sandbox.requestlog import LoggedRequest, RequestLog
from flxd_woocommerce.sandbox.server import Sandbox
from flxd_woocommerce.sandbox.store import Store

__all__ = [
    "CapacityConfig",
    "CartLine",
    "LoggedRequest",
    "PessimismConfig",
    "RequestLog",
    "Sandbox",
    "SandboxClock",
    "SandboxConfig",
    "Store",
    "SystemClock",
]
