"""Everything a flxd plugin may use, in one place: plugins import `flxd.plugin` and nothing else
from flxd (their tests may also use `flxd.testing`).

A channel plugin registers a ChannelType through the `flxd_register_channels` hook: its
connection settings, the operations it implements (OperationType: settings and a run function),
a factory for its Channel, how to read its API's answers (HttpPolicy), and optionally a
reconciliation reader (`reconcile`: what the store has now, as ChannelStock pages). Core does
the rest: scheduling, rate limiting, retries, cursors, dry runs, leases, and what every channel does
alike (the sync plan, SKU matching, order events, personal-data retention).

    from flxd.plugin import ChannelType, OperationType, hookimpl, ...

See the README's "Writing a channel plugin" for a complete minimal plugin.
"""

from flxd.clock import Clock, SystemClock
from flxd.config.loader import Config, ConnectionConfig
from flxd.config.models import ConnectionSettings, OperationSettings, TypedSettings
from flxd.config.operations import (
    Days,
    GetOrdersSettings,
    ImportListingsSettings,
    PublishListingsSettings,
    SyncListingsSettings,
    SyncOrdersSettings,
)
from flxd.config.types import (
    Duration,
    EnvSecret,
    FileSecret,
    RelativePath,
    StrictModel,
    parse_duration,
    pick_secret,
)
from flxd.errors import (
    AuthError,
    ChannelError,
    FlxdError,
    PermanentError,
    PluginError,
    RateLimited,
    RecordError,
    TransientError,
)
from flxd.hub.changeplan import ChangeKind, ListingChange, ProductChanges
from flxd.hub.credentials import Vault
from flxd.hub.drift import ChannelStock
from flxd.hub.events import ACKNOWLEDGE_CONFLICT, ORDER_IMPORTED, SHIPMENT_RECORDED
from flxd.hub.links import LIVE_STATES
from flxd.hub.matching import ChannelItem, ChannelProduct
from flxd.hub.model import (
    AckState,
    Address,
    Link,
    LinkState,
    Listing,
    ListingStatus,
    Order,
    OrderLine,
    Pairs,
    Presence,
    Shipment,
    ShipmentLine,
    ShipmentState,
    Variant,
    VariantUpdate,
    sku_key,
)
from flxd.hub.outbox import Event
from flxd.net.http import HttpPolicy, RequestSigner, Response, Signature
from flxd.net.ratelimit import QuotaReport
from flxd.net.runhttp import Http, PlanEntry
from flxd.operation import RUN_ORDER, Operation
from flxd.plugin.approval import (
    approval_page,
    complete_approval,
    give_up_approval,
    waiting_approval,
)
from flxd.plugin.channel import (
    Channel,
    ChannelBase,
    CheckReport,
    ExplainsOrders,
    Maintains,
    OrderExplanation,
)
from flxd.plugin.context import (
    CheckContext,
    ConnectionServices,
    FeedServices,
    HubWriter,
    RunContext,
    SinkServices,
    WebContext,
)
from flxd.plugin.flows.acknowledge import AckedOrder, AckResult, settle_acknowledgements
from flxd.plugin.flows.import_listings import ImportPage, import_pages
from flxd.plugin.flows.sync_listings import ListingWriter, SyncOutcomes, sync_listings
from flxd.plugin.hookspecs import hookimpl
from flxd.plugin.registry import (
    ChannelSandbox,
    ChannelType,
    Command,
    Feed,
    FeedType,
    OperationType,
    Registrar,
    Sink,
    SinkType,
    StockReader,
    WebRoute,
)
from flxd.plugin.webhooks import accept_event, webhook_secret
from flxd.taskgroup import task_group

__all__ = [
    "ACKNOWLEDGE_CONFLICT",
    "LIVE_STATES",
    "ORDER_IMPORTED",
    "RUN_ORDER",
    "SHIPMENT_RECORDED",
    "AckResult",
    "AckState",
    "AckedOrder",
    "Address",
    "AuthError",
    "ChangeKind",
    "Channel",
    "ChannelBase",
    "ChannelError",
    "ChannelItem",
    "ChannelProduct",
    "ChannelSandbox",
    "ChannelStock",
    "ChannelType",
    "CheckContext",
    "CheckReport",
    "Clock",
    "Command",
    "Config",
    "ConnectionConfig",
    "ConnectionServices",
    "ConnectionSettings",
    "Days",
    "Duration",
    "EnvSecret",
    "Event",
    "ExplainsOrders",
    "Feed",
    "FeedServices",
    "FeedType",
    "FileSecret",
    "FlxdError",
    "GetOrdersSettings",
    "Http",
    "HttpPolicy",
    "HubWriter",
    "ImportListingsSettings",
    "ImportPage",
    "Link",
    "LinkState",
    "Listing",
    "ListingChange",
    "ListingStatus",
    "ListingWriter",
    "Maintains",
    "Operation",
    "OperationSettings",
    "OperationType",
    "Order",
    "OrderExplanation",
    "OrderLine",
    "Pairs",
    "PermanentError",
    "PlanEntry",
    "PluginError",
    "Presence",
    "ProductChanges",
    "PublishListingsSettings",
    "QuotaReport",
    "RateLimited",
    "RecordError",
    "Registrar",
    "RelativePath",
    "RequestSigner",
    "Response",
    "RunContext",
    "Shipment",
    "ShipmentLine",
    "ShipmentState",
    "Signature",
    "Sink",
    "SinkServices",
    "SinkType",
    "StockReader",
    "StrictModel",
    "SyncListingsSettings",
    "SyncOrdersSettings",
    "SyncOutcomes",
    "SystemClock",
    "TransientError",
    "TypedSettings",
    "Variant",
    "VariantUpdate",
    "Vault",
    "WebContext",
    "WebRoute",
    "accept_event",
    "approval_page",
    "complete_approval",
    "give_up_approval",
    "hookimpl",
    "import_pages",
    "parse_duration",
    "pick_secret",
    "settle_acknowledgements",
    "sku_key",
    "sync_listings",
    "task_group",
    "waiting_approval",
    "webhook_secret",
]
