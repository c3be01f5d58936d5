"""What a BigCommerce connection and each of its operations can be configured with."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from flxd.plugin import (
    ConnectionSettings,
    Duration,
    EnvSecret,
    FileSecret,
    RelativePath,
    StrictModel,
    pick_secret,
)
from flxd.plugin import (
    GetOrdersSettings as CoreGetOrdersSettings,
)
from flxd.plugin import (
    ImportListingsSettings as CoreImportListingsSettings,
)
from flxd.plugin import (
    PublishListingsSettings as CorePublishListingsSettings,
)
from flxd.plugin import (
    SyncListingsSettings as CoreSyncListingsSettings,
)
from flxd.plugin import (
    SyncOrdersSettings as CoreSyncOrdersSettings,
)
from flxd_bigcommerce.client import API_BASE_URL
from flxd_bigcommerce.statuses import parse_status

__all__ = [
    "LOGIN_BASE_URL",
    "ORDER_LISTING_LAG",
    "BigCommerceSettings",
    "CarrierMapping",
    "EmbeddedSandbox",
    "GetOrdersSettings",
    "ImportListingsSettings",
    "PublishListingsSettings",
    "SyncListingsSettings",
    "SyncOrdersSettings",
]

LOGIN_BASE_URL = "https://login.bigcommerce.com"
_STORE_HASH = re.compile(r"^[a-z0-9]{1,32}$")


def _base_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+(:\d+)?(/[^\s]*)?$", value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value.rstrip("/")


BaseUrl = Annotated[str, AfterValidator(_base_url)]
Status = Annotated[int, BeforeValidator(parse_status)]


Rate = Annotated[float, Field(ge=0, le=1)]
PageLimit = Annotated[int, Field(ge=1, le=250)]


class EmbeddedSandbox(StrictModel):
    """`sandbox = {...}`: talk to an emulated store started inside flxd (no credentials needed).

    `behaviour = "pessimistic"` makes the store take, wherever BigCommerce's documents are
    silent, the reading worst for a syncing client; the keys after it tune that behaviour (unset:
    the sandbox's defaults, see `flxd_bigcommerce.sandbox.behaviour`) and need it.
    """

    seed_products: int = Field(default=50, ge=0, le=1_000_000)
    seed_orders: int = Field(default=20, ge=0, le=1_000_000)
    state_file: RelativePath | None = None
    quota: int | None = Field(default=150, ge=1)
    window: Duration = 30.0
    seed: int = 0
    behaviour: Literal["documented", "pessimistic"] = "documented"
    date_modified_on_product_fields_only: bool | None = None
    exclusive_v2_date_bounds: bool | None = None
    variants_page_limit: PageLimit | None = None
    v2_page_limit: PageLimit | None = None
    visibility_delay: Duration | None = None
    order_listing_lag: Duration | None = None
    partial_write_rate: Rate | None = None
    webhook_max_delay: Duration | None = None
    webhook_duplicate_rate: Rate | None = None
    webhook_loss_rate: Rate | None = None
    bare_429_rate: Rate | None = None
    metafield_batch_limit: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _pessimism_needs_pessimistic(self) -> EmbeddedSandbox:
        given = sorted(self.pessimism())
        if given and self.behaviour != "pessimistic":
            raise ValueError(
                f"{', '.join(given)} tune(s) the pessimistic behaviour: "
                'add behaviour = "pessimistic"'
            )
        return self

    def pessimism(self) -> dict[str, Any]:
        """The pessimistic settings given (by their sandbox names)."""
        names = (
            "date_modified_on_product_fields_only",
            "exclusive_v2_date_bounds",
            "variants_page_limit",
            "v2_page_limit",
            "visibility_delay",
            "order_listing_lag",
            "partial_write_rate",
            "webhook_max_delay",
            "webhook_duplicate_rate",
            "webhook_loss_rate",
            "bare_429_rate",
            "metafield_batch_limit",
        )
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}


class BigCommerceSettings(ConnectionSettings):
    store_hash: str
    sandbox: EmbeddedSandbox | None = None
    auth: Literal["api_account", "oauth"] = "api_account"
    client_id: str | None = None
    access_token_env: EnvSecret | None = None
    access_token_file: FileSecret | None = None
    client_secret_env: EnvSecret | None = None
    client_secret_file: FileSecret | None = None
    api_base_url: BaseUrl = API_BASE_URL
    login_base_url: BaseUrl = LOGIN_BASE_URL
    webhooks: bool = False
    webhook_url: BaseUrl | None = None
    """Where BigCommerce sends webhooks (https on port 443); default: the admin server's URL."""

    @field_validator("store_hash")
    @classmethod
    def _hash(cls, value: str) -> str:
        if not _STORE_HASH.match(value):
            raise ValueError(
                f"{value!r} is not a store hash (lowercase letters and digits, the part after "
                "/stores/ in the API path)"
            )
        return value

    @field_validator("client_id")
    @classmethod
    def _oauth_client(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Checked here rather than with the other credentials below, so that it is reported
        # together with the other keys' problems, not only once they are all fixed.
        if info.data.get("auth") == "oauth" and not value and info.data.get("sandbox") is None:
            raise ValueError('needed with auth = "oauth" (the app\'s client id)')
        return value

    @model_validator(mode="after")
    def _credentials(self) -> BigCommerceSettings:
        if self.sandbox is not None:
            return self  # the embedded sandbox hands out its own token
        if self.auth == "api_account":
            pick_secret("access_token", self.access_token_env, self.access_token_file)
        else:
            pick_secret("client_secret", self.client_secret_env, self.client_secret_file)
            if self.access_token_env is not None or self.access_token_file is not None:
                raise ValueError(
                    'auth = "oauth" takes its token from the approval flow, not access_token_*'
                )
        return self

    @property
    def access_token(self) -> SecretStr | None:
        """The API account's token (None for OAuth and the embedded sandbox)."""
        if self.auth != "api_account" or self.sandbox is not None:
            return None
        return pick_secret("access_token", self.access_token_env, self.access_token_file)

    @property
    def client_secret(self) -> SecretStr | None:
        if self.client_secret_env is None and self.client_secret_file is None:
            return None
        return pick_secret("client_secret", self.client_secret_env, self.client_secret_file)


class ImportListingsSettings(CoreImportListingsSettings):
    master_sku: Literal["sku", "upc", "mpn"] = "sku"
    """Which BigCommerce field becomes the hub's master SKU; items without it are skipped."""
    overlap: Duration = 300.0
    """How far before the cursor each incremental run looks again (dates have whole seconds)."""


class PublishListingsSettings(CorePublishListingsSettings):
    attribute_length: Literal["truncate", "skip", "fail"] = "truncate"
    product_type: Literal["physical", "digital"] = "physical"
    default_weight: Decimal = Field(default=Decimal(0), ge=0)


class SyncListingsSettings(CoreSyncListingsSettings):
    location_id: int = Field(default=1, ge=1)
    """The inventory location quantities are written to."""


def _expand_statuses(value: object) -> object:
    """The documented choice "Pending/Incomplete" stands for both statuses, 1 and 0."""
    if not isinstance(value, list):
        return value
    expanded: list[object] = []
    for item in value:
        if isinstance(item, str) and re.sub(r"[^a-z]", "", item.lower()) == "pendingincomplete":
            expanded += [1, 0]
        else:
            expanded.append(item)
    return expanded


def _distinct(value: list[int]) -> list[int]:
    return list(dict.fromkeys(value))


ORDER_LISTING_LAG = 60.0
"""How many seconds after its `date_modified` an order may first be listed by `GET /v2/orders`,
as flxd assumes it. BigCommerce states no bound: API.md §11 pitfall 1 says to re-query with an
overlap and never trust "now" less "a few seconds"; §12/§13 have no source on listing delays (the
pessimistic sandbox lists new orders 5 s late). get_orders' `overlap` may not be set below it."""


class GetOrdersSettings(CoreGetOrdersSettings):
    statuses: Annotated[
        list[Status], BeforeValidator(_expand_statuses), AfterValidator(_distinct)
    ] = Field(default_factory=lambda: [11], min_length=1)
    """Statuses to import, by id (0-14) or name; matched on the id, since merchants rename the
    labels. "Pending/Incomplete" means 1 and 0."""
    acknowledge: Literal["none", "status", "metafield"] = "none"
    acknowledge_status: Status = 9
    metafield_namespace: str = Field(default="flxd", min_length=1, max_length=64)
    metafield_key: str = Field(default="imported", min_length=1, max_length=64)
    overlap: Annotated[Duration, Field(ge=ORDER_LISTING_LAG)] = 300.0
    """How far before its cursor each run reads again: at least ORDER_LISTING_LAG, so an order
    listed late is still read (once: the hub keeps one order per channel order id)."""


class CarrierMapping(StrictModel):
    shipping_provider: str = ""
    tracking_carrier: str = ""


def _default_carriers() -> dict[str, CarrierMapping]:
    known = ("ups", "usps", "fedex", "auspost", "canadapost", "royalmail", "endicia")
    return {name: CarrierMapping(shipping_provider=name) for name in known} | {
        "dhl": CarrierMapping(tracking_carrier="dhl"),
    }


class SyncOrdersSettings(CoreSyncOrdersSettings):
    carriers: dict[str, CarrierMapping] = Field(default_factory=_default_carriers)
    """Hub carrier name -> BigCommerce shipping_provider / tracking_carrier."""
