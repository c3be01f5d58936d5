"""What a sandbox is asked to be: how many stores, how much seeded data, which limits and faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flxd_bigcommerce.sandbox.behaviour import BEHAVIOURS, BehaviourName, PessimisticSettings
from flxd_bigcommerce.sandbox.faults import PROFILES

__all__ = ["FLXD_SCOPES", "OAuthAppConfig", "SandboxConfig"]

# The scopes flxd needs: catalog, orders (incl. shipments and order metafields), inventory, store
# information, locations. Webhooks need none (D:ACCT#L183).
FLXD_SCOPES: tuple[str, ...] = (
    "store_v2_products",
    "store_v2_orders",
    "store_inventory",
    "store_v2_information",
    "store_locations",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuthAppConfig:
    """The OAuth app registered with the sandbox's login service.

    ``redirect_uri`` None accepts any callback at authorize time; the token exchange must then
    repeat the one used there, as BigCommerce requires.
    """

    client_id: str = "flxd-sandbox-app"
    client_secret: str = "flxd-sandbox-secret"
    redirect_uri: str | None = None
    scopes: tuple[str, ...] = FLXD_SCOPES


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxConfig:
    """Everything a :class:`~flxd_bigcommerce.sandbox.Sandbox` is built from.

    ``quota`` None turns rate limiting off (no ``X-Rate-Limit-*`` headers, like an unlimited plan).
    ``seed`` makes seeding, generated store hashes, default tokens and fault injection
    reproducible. ``fault_slow_ms`` is how long a "slow" fault holds a response.
    ``behaviour`` is ``documented`` (the default) or ``pessimistic``; ``pessimism`` tunes the
    latter and is refused with the former (see :mod:`flxd_bigcommerce.sandbox.behaviour`).
    """

    stores: int = 1
    seed_products: int = 0
    seed_orders: int = 0
    quota: int | None = 150
    window_ms: int = 30_000
    concurrency: int | None = None
    faults: str | None = None
    fault_rate: float | None = None
    fault_slow_ms: int = 35_000
    seed: int = 0
    state_file: Path | None = None
    store_hashes: tuple[str, ...] = ()
    webhooks: bool = True
    oauth: OAuthAppConfig = field(default_factory=OAuthAppConfig)
    behaviour: BehaviourName = "documented"
    pessimism: PessimisticSettings = field(default_factory=PessimisticSettings)

    def __post_init__(self) -> None:
        problems = []
        if self.stores < 0:
            problems.append("stores must be >= 0")
        if self.seed_products < 0 or self.seed_orders < 0:
            problems.append("seed_products and seed_orders must be >= 0")
        if self.quota is not None and self.quota < 1:
            problems.append("quota must be >= 1 (or None for no quota)")
        if self.window_ms < 1:
            problems.append("window_ms must be >= 1")
        if self.concurrency is not None and self.concurrency < 1:
            problems.append("concurrency must be >= 1 (or None for no cap)")
        if self.fault_rate is not None and not 0.0 <= self.fault_rate <= 1.0:
            problems.append("fault_rate must be between 0 and 1")
        if self.faults is not None and self.faults not in PROFILES:
            problems.append(f"faults must be one of {', '.join(PROFILES)}")
        if len(set(self.store_hashes)) != len(self.store_hashes):
            problems.append("store_hashes must be distinct")
        if self.behaviour not in BEHAVIOURS:
            problems.append(f"behaviour must be one of {', '.join(BEHAVIOURS)}")
        elif self.behaviour != "pessimistic" and self.pessimism != PessimisticSettings():
            problems.append(
                "pessimism settings only apply to behaviour='pessimistic' "
                f"(behaviour is {self.behaviour!r})"
            )
        if problems:
            raise ValueError("invalid SandboxConfig: " + "; ".join(problems))

    @property
    def store_count(self) -> int:
        """Stores created at start-up: the explicit hashes, topped up to ``stores``."""
        return max(self.stores, len(self.store_hashes))
