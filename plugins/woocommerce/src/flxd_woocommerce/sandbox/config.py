"""What a sandbox is asked to be: how many stores, which behaviour, how big a server, which
faults, and how it talks to the outside (TLS, webhook and callback destinations)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from flxd_woocommerce.sandbox.faults import PROFILES
from flxd_woocommerce.sandbox.wpdates import parse_timezone

__all__ = [
    "BEHAVIOURS",
    "Behaviour",
    "CapacityConfig",
    "OutboundPolicy",
    "PessimismConfig",
    "SandboxConfig",
]

Behaviour = Literal["documented", "pessimistic"]
BEHAVIOURS: tuple[Behaviour, ...] = ("documented", "pessimistic")
OutboundPolicy = Literal["loopback", "wordpress"]
STORE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")


@dataclass(frozen=True, slots=True, kw_only=True)
class CapacityConfig:
    """The shop's server: WooCommerce has no request quota, its limit is the host.

    ``workers`` PHP workers serve one request each (None: unlimited, no capacity model at all).
    A request that finds every worker busy waits in a ``backlog`` of that many places; its
    latency grows by one ``service_ms`` per full round of workers ahead of it. Past the backlog
    the host refuses at once with ``overload_status`` (503 or 429) and ``Retry-After:
    retry_after_s`` (None: no header). A queued request whose wait would exceed
    ``gateway_timeout_s`` is answered 504 after that long, as a reverse proxy does.
    All waiting happens on the sandbox clock.
    """

    workers: int | None = None
    backlog: int = 0
    service_ms: float = 0.0
    overload_status: int = 503
    retry_after_s: int | None = 10
    gateway_timeout_s: float = 60.0

    def problems(self) -> list[str]:
        found = []
        if self.workers is not None and self.workers < 1:
            found.append("capacity.workers must be >= 1 (or None for no limit)")
        if self.backlog < 0:
            found.append("capacity.backlog must be >= 0")
        if self.service_ms < 0:
            found.append("capacity.service_ms must be >= 0")
        if self.overload_status not in (429, 503):
            found.append("capacity.overload_status must be 429 or 503")
        if self.retry_after_s is not None and self.retry_after_s < 0:
            found.append("capacity.retry_after_s must be >= 0 (or None for no header)")
        if self.gateway_timeout_s <= 0:
            found.append("capacity.gateway_timeout_s must be > 0")
        return found


@dataclass(frozen=True, slots=True, kw_only=True)
class PessimismConfig:
    """How hard the ``pessimistic`` behaviour bites (ignored in ``documented``).

    ``per_page_cap``: lists serve at most this many items a page whatever ``per_page`` asked
    (the pagination headers count with what was served). ``order_lag_s``: a new order shows
    in ``GET /orders`` listings only this long after it was placed. ``batch_error_rate``: the
    share of batch items that fail with a per-item error (and are not applied).
    ``webhook_loss_rate`` / ``webhook_duplicate_rate``: deliveries never sent / sent twice;
    ``webhook_max_delay_s``: each delivery waits a random delay up to this, so they arrive late
    and out of order.
    """

    per_page_cap: int = 37
    order_lag_s: float = 30.0
    batch_error_rate: float = 0.1
    webhook_loss_rate: float = 0.1
    webhook_duplicate_rate: float = 0.1
    webhook_max_delay_s: float = 120.0

    def problems(self) -> list[str]:
        found = []
        if self.per_page_cap < 1:
            found.append("pessimism.per_page_cap must be >= 1")
        if self.order_lag_s < 0 or self.webhook_max_delay_s < 0:
            found.append("pessimism delays must be >= 0")
        for name in ("batch_error_rate", "webhook_loss_rate", "webhook_duplicate_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                found.append(f"pessimism.{name} must be between 0 and 1")
        return found


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxConfig:
    """Everything a :class:`~flxd_woocommerce.sandbox.Sandbox` is built from.

    Stores: ``stores`` sites named ``shop1``, ``shop2``... unless ``store_names`` names them;
    each starts with ``seed_products`` / ``seed_orders`` of generated data (reproducible from
    ``seed``, as are keys and faults), the ``site_timezone`` (``"UTC"``, a fixed offset such as
    ``"-03:00"``, or an IANA name), pretty permalinks unless ``permalinks`` is False, and the
    Shipment Tracking extension when ``shipment_tracking``.

    Serving: ``tls`` serves HTTPS with a self-signed certificate made at start (HTTP Basic works
    only then); otherwise plain HTTP, where only OAuth 1.0a authenticates.

    Outbound (webhook deliveries, the approval flow's key POST): ``outbound_policy``
    ``"wordpress"`` applies WordPress's safe-request rules exactly (ports 80/443/8080, no
    private or loopback hosts other than the site's own); ``"loopback"`` (default) also lets any
    loopback host and port through, for local receivers. ``outbound_verify_tls`` and
    ``outbound_cafile`` decide which certificates those requests trust.
    """

    stores: int = 1
    store_names: tuple[str, ...] = ()
    seed_products: int = 0
    seed_orders: int = 0
    seed: int = 0
    behaviour: Behaviour = "documented"
    pessimism: PessimismConfig = field(default_factory=PessimismConfig)
    tls: bool = False
    site_timezone: str = "-03:00"
    permalinks: bool = True
    shipment_tracking: bool = False
    approval: Literal["approve", "deny"] = "approve"
    capacity: CapacityConfig = field(default_factory=CapacityConfig)
    faults: str | None = None
    fault_rate: float | None = None
    fault_slow_ms: int = 35_000
    webhooks: bool = True
    webhook_timeout_s: float = 60.0
    outbound_policy: OutboundPolicy = "loopback"
    outbound_verify_tls: bool = True
    outbound_cafile: Path | None = None
    state_file: Path | None = None
    wc_version: str = "9.4.2"
    wp_version: str = "6.7.1"

    def __post_init__(self) -> None:
        problems = [*self.capacity.problems(), *self.pessimism.problems()]
        if self.stores < 0:
            problems.append("stores must be >= 0")
        if self.seed_products < 0 or self.seed_orders < 0:
            problems.append("seed_products and seed_orders must be >= 0")
        if self.behaviour not in BEHAVIOURS:
            problems.append(f"behaviour must be one of {', '.join(BEHAVIOURS)}")
        if self.faults is not None and self.faults not in PROFILES:
            problems.append(f"faults must be one of {', '.join(PROFILES)}")
        if self.fault_rate is not None and not 0.0 <= self.fault_rate <= 1.0:
            problems.append("fault_rate must be between 0 and 1")
        if self.fault_slow_ms < 1:
            problems.append("fault_slow_ms must be >= 1")
        if self.webhook_timeout_s <= 0:
            problems.append("webhook_timeout_s must be > 0")
        if self.outbound_policy not in ("loopback", "wordpress"):
            problems.append("outbound_policy must be 'loopback' or 'wordpress'")
        if self.approval not in ("approve", "deny"):
            problems.append("approval must be 'approve' or 'deny'")
        for name in self.store_names:
            if not STORE_NAME.fullmatch(name):
                problems.append(f"store name {name!r}: 1-32 lowercase letters, digits or '-'")
        if len(set(self.store_names)) != len(self.store_names):
            problems.append("store_names must be distinct")
        try:
            parse_timezone(self.site_timezone)
        except ValueError as exc:
            problems.append(f"site_timezone: {exc}")
        if problems:
            raise ValueError("invalid SandboxConfig: " + "; ".join(problems))

    @property
    def store_count(self) -> int:
        """Stores created at start-up: the named ones, topped up to ``stores``."""
        return max(self.stores, len(self.store_names))

    @property
    def pessimistic(self) -> bool:
        return self.behaviour == "pessimistic"
