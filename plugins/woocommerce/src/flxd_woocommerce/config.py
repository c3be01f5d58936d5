"""What a WooCommerce connection and each of its operations can be configured with."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, model_validator

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
from flxd_woocommerce.statuses import parse_status

__all__ = [
    "EmbeddedSandbox",
    "GetOrdersSettings",
    "ImportListingsSettings",
    "PublishListingsSettings",
    "SyncListingsSettings",
    "SyncOrdersSettings",
    "WooCommerceSettings",
]

_SITE = re.compile(r"^https?://[^\s/?#]+(:\d+)?(/[^\s?#]*)?$")


def _site_url(value: str) -> str:
    if not _SITE.match(value):
        raise ValueError(
            f"{value!r} is not a site address (https://shop.example, or with the path of a "
            "WordPress installed in a folder: https://example.com/shop)"
        )
    return value.rstrip("/")


SiteUrl = Annotated[str, AfterValidator(_site_url)]
Status = Annotated[str, BeforeValidator(parse_status)]


class EmbeddedSandbox(StrictModel):
    """`sandbox = {...}`: an emulated WooCommerce store started inside flxd (no keys needed).
    It serves plain HTTP on loopback, so flxd signs its requests with OAuth 1.0a."""

    seed_products: int = Field(default=30, ge=0, le=1_000_000)
    seed_orders: int = Field(default=10, ge=0, le=1_000_000)
    state_file: RelativePath | None = None
    seed: int = 0
    behaviour: Literal["documented", "pessimistic"] = "documented"
    shipment_tracking: bool = False
    """The store has the Shipment Tracking extension."""
    timezone: str = "-03:00"
    """The site's timezone (WordPress's setting): UTC, +HH:MM or an IANA name."""


class WooCommerceSettings(ConnectionSettings):
    url: SiteUrl | None = None
    """The WordPress site's address (the REST API is under {url}/wp-json/wc/v3)."""
    sandbox: EmbeddedSandbox | None = None
    auth: Literal["auto", "basic", "oauth1"] = "auto"
    """How requests are signed: HTTP Basic over HTTPS, OAuth 1.0a (HMAC-SHA256) over plain
    HTTP, as WooCommerce prescribes ("auto"). Basic over plain HTTP is refused: WooCommerce
    ignores it there, and it would send the secret in clear."""
    consumer_key_env: EnvSecret | None = None
    consumer_key_file: FileSecret | None = None
    consumer_secret_env: EnvSecret | None = None
    consumer_secret_file: FileSecret | None = None
    approval: bool = False
    """Keys come from WooCommerce's app approval (`flxd connections add`), kept encrypted in
    the hub, rather than from consumer_key_* / consumer_secret_*."""
    max_concurrency: int = Field(default=4, ge=1, le=64)
    """The most requests in flight to the site; flxd starts with one and adds more while the
    server keeps answering as fast (WooCommerce has no quota to read)."""
    webhooks: bool = False
    webhook_url: SiteUrl | None = None
    """Where WooCommerce sends webhooks; default: the admin server's [admin] public_url."""

    @model_validator(mode="after")
    def _where_and_how(self) -> WooCommerceSettings:
        if self.sandbox is not None:
            if self.url is not None or self.approval or self._any_key():
                raise ValueError("sandbox = {...} brings its own store and keys: drop url and keys")
            return self
        if self.url is None:
            raise ValueError("url: missing (the site's address, e.g. https://shop.example)")
        if self.auth == "basic" and self.url.startswith("http://"):
            raise ValueError(
                'auth = "basic" over plain HTTP: WooCommerce ignores Basic credentials there '
                'and they would travel in clear; use an https:// url, or auth = "oauth1"'
            )
        if self.approval:
            if self._any_key():
                raise ValueError(
                    "approval = true takes its keys from the approval flow, not consumer_key_*"
                )
            return self
        pick_secret("consumer_key", self.consumer_key_env, self.consumer_key_file)
        pick_secret("consumer_secret", self.consumer_secret_env, self.consumer_secret_file)
        return self

    def _any_key(self) -> bool:
        keys = (
            self.consumer_key_env,
            self.consumer_key_file,
            self.consumer_secret_env,
            self.consumer_secret_file,
        )
        return any(k is not None for k in keys)

    @property
    def keys(self) -> tuple[SecretStr, SecretStr] | None:
        """(consumer key, consumer secret) from the config; None for approval and sandbox."""
        if self.sandbox is not None or self.approval:
            return None
        return (
            pick_secret("consumer_key", self.consumer_key_env, self.consumer_key_file),
            pick_secret("consumer_secret", self.consumer_secret_env, self.consumer_secret_file),
        )

    def scheme(self, url: str) -> Literal["basic", "oauth1"]:
        """The authentication scheme for a site at `url`."""
        if self.auth != "auto":
            return self.auth
        return "basic" if url.startswith("https://") else "oauth1"


MasterSku = Literal["sku", "gtin", "meta"]


class ImportListingsSettings(CoreImportListingsSettings):
    master_sku: MasterSku = "sku"
    """Which WooCommerce field becomes the hub's master SKU: "sku", "gtin" (the GTIN, UPC,
    EAN or ISBN field, `global_unique_id`, WooCommerce 9.2 and later) or "meta" (the meta
    field named by master_sku_meta_key); items without it are skipped."""
    master_sku_meta_key: str | None = Field(default=None, min_length=1, max_length=255)
    overlap: Duration = 300.0
    """How far before the cursor each incremental run looks again (dates have whole seconds,
    and a save can become visible after its stamp)."""

    @model_validator(mode="after")
    def _meta_key(self) -> ImportListingsSettings:
        if self.master_sku == "meta" and not self.master_sku_meta_key:
            raise ValueError('master_sku = "meta" needs master_sku_meta_key (the meta field)')
        return self


class PublishListingsSettings(CorePublishListingsSettings):
    attribute_length: Literal["truncate", "skip", "fail"] = "truncate"
    """For option names (the attributes variations are told apart by) longer than WordPress
    can keep (245 characters as a meta key). WooCommerce limits neither descriptive attribute
    names nor values: the policy does not apply to them. "skip" cannot leave out an option
    that tells variations apart: such a listing is refused, as with "fail"."""
    status: Literal["publish", "draft", "private", "pending"] = "publish"
    """The status new products get."""


class SyncListingsSettings(CoreSyncListingsSettings):
    pass


def _distinct(value: list[str]) -> list[str]:
    return list(dict.fromkeys(value))


class GetOrdersSettings(CoreGetOrdersSettings):
    statuses: Annotated[list[Status], AfterValidator(_distinct)] = Field(
        default_factory=lambda: ["processing"], min_length=1
    )
    """Statuses to import, by slug: pending, processing, on-hold, completed, cancelled,
    refunded, failed, checkout-draft, or a custom status's slug (with or without "wc-")."""
    acknowledge: Literal["none", "status", "meta_data"] = "none"
    acknowledge_status: Status | None = None
    """With acknowledge = "status": the status an imported order moves to."""
    meta_key: str = Field(default="flxd_imported", min_length=1, max_length=255)
    """With acknowledge = "meta_data": the order meta field flxd sets."""
    overlap: Duration = 300.0

    @model_validator(mode="after")
    def _ack_status(self) -> GetOrdersSettings:
        if self.acknowledge == "status":
            if self.acknowledge_status is None:
                raise ValueError('acknowledge = "status" needs acknowledge_status')
            if self.acknowledge_status in self.statuses:
                raise ValueError(
                    f"acknowledge_status {self.acknowledge_status!r} is one of the imported "
                    "statuses: acknowledged orders would be read again and again"
                )
        return self


class CarrierMapping(StrictModel):
    provider: str = ""
    """The Shipment Tracking extension's provider name (e.g. "UPS", "DHL", "Australia Post")."""
    label: str = ""
    """How the carrier is named in the note to the customer (default: the hub's name)."""


class SyncOrdersSettings(CoreSyncOrdersSettings):
    tracking: Literal["auto", "note", "extension"] = "auto"
    """Where a shipment goes: "note" (an order note to the customer with the carrier and the
    tracking number), "extension" (the Shipment Tracking extension), "auto" (the extension
    when the store has it, else a note)."""
    complete_when_shipped: bool = True
    """Mark the order completed once every item has shipped (WooCommerce then emails the
    customer that the order is complete)."""
    carriers: dict[str, CarrierMapping] = Field(default_factory=dict)
    """Hub carrier name -> the extension's provider and the note's label."""
