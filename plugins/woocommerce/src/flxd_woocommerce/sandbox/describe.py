"""How the control API shows stores, keys, orders and webhook outcomes."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from flxd_woocommerce.sandbox.keys import ApiKey
from flxd_woocommerce.sandbox.orders.render import order_json
from flxd_woocommerce.sandbox.webhooks.delivery import DeliveryOutcome

if TYPE_CHECKING:
    from flxd_woocommerce.sandbox.server import Sandbox

__all__ = ["describe_store", "key_json", "order_of", "outcome_json", "overview"]


def key_json(key: ApiKey) -> dict[str, Any]:
    basic = base64.b64encode(f"{key.consumer_key}:{key.consumer_secret}".encode()).decode()
    return {
        "key_id": key.key_id,
        "description": key.description,
        "permissions": key.permissions,
        "consumer_key": key.consumer_key,
        "consumer_secret": key.consumer_secret,
        "basic_authorization": f"Basic {basic}",
    }


def describe_store(sandbox: Sandbox, name: str) -> dict[str, Any]:
    store = sandbox.store(name)
    return {
        "name": store.name,
        "site_url": store.site.home_url,
        "api_url": store.site.rest_url("/wc/v3"),
        "behaviour": store.behaviour,
        "permalinks": store.site.permalinks,
        "shipment_tracking": store.shipment_tracking,
        "approval": store.approval,
        "keys": [key_json(k) for k in store.keys.keys.values()],
        "products": len(store.catalog.products),
        "variations": len(store.catalog.variations),
        "orders": len(store.orders.orders),
        "order_statuses": list(store.statuses.all()),
    }


def overview(sandbox: Sandbox) -> dict[str, Any]:
    return {
        "base_url": sandbox.origin(),
        "https": sandbox.https,
        "behaviour": sandbox.config.behaviour,
    }


def order_of(sandbox: Sandbox, name: str, order_id: int) -> dict[str, Any]:
    store = sandbox.store(name)
    return order_json(store.orders.order(order_id), store.site)


def outcome_json(outcome: DeliveryOutcome) -> dict[str, Any]:
    return {
        "webhook_id": outcome.webhook_id,
        "topic": outcome.topic,
        "kind": outcome.kind,
        "url": outcome.url,
        "status": outcome.status,
        "ok": outcome.ok,
        "error": outcome.error,
        "lost": outcome.lost,
        "duplicate": outcome.duplicate,
        "at": outcome.at.isoformat(),
        "headers": outcome.headers,
        "body": outcome.body.decode("utf-8", "replace"),
    }
