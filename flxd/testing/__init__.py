"""What a channel author needs to test against flxd: a fake clock, hub fixtures (the pytest
plugin `flxd.testing.fixtures`, loaded automatically), the channel contract suite
(`flxd.testing.contract`), daemons as subprocesses (`flxd.testing.process`), and the core's
parts a plugin's tests drive or look into: the CLI's parser, the daemon, the hub's books, the
HTTP layer and the run journal.

A plugin's own code imports only `flxd.plugin`; its tests import `flxd.plugin` and this.
"""

from flxd.cli import build_parser
from flxd.config import parse_config
from flxd.daemon.lifecycle import Daemon
from flxd.daemon.selection import Selection
from flxd.errors import ConfigError
from flxd.hub.catalog import Catalog
from flxd.hub.credentials import PendingAuth
from flxd.hub.cursors import Cursors
from flxd.hub.database import open_hub
from flxd.hub.health import ConnectionHealth, HealthBook
from flxd.hub.orders import OrderBook
from flxd.hub.shipments import ShipmentRequest, record_request
from flxd.net.concurrency import AdaptiveConcurrency
from flxd.net.http import HttpClient, open_session
from flxd.net.ratelimit import Limiter
from flxd.net.retry import RetryPolicy
from flxd.plugin.manager import load_plugins
from flxd.runs.connections import build_runtime
from flxd.runs.explain import ExplainReport, explain_order
from flxd.runs.journal import Journal, RunOutcome
from flxd.runs.summary import RunSummary
from flxd.store import Database, Tx
from flxd.testing.clock import FakeClock

__all__ = [
    "AdaptiveConcurrency",
    "Catalog",
    "ConfigError",
    "ConnectionHealth",
    "Cursors",
    "Daemon",
    "Database",
    "ExplainReport",
    "FakeClock",
    "HealthBook",
    "HttpClient",
    "Journal",
    "Limiter",
    "OrderBook",
    "PendingAuth",
    "RetryPolicy",
    "RunOutcome",
    "RunSummary",
    "Selection",
    "ShipmentRequest",
    "Tx",
    "build_parser",
    "build_runtime",
    "explain_order",
    "load_plugins",
    "open_hub",
    "open_session",
    "parse_config",
    "record_request",
]
