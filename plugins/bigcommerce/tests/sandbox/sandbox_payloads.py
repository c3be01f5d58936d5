"""Request bodies the sandbox tests build again and again."""

from __future__ import annotations

from typing import Any

from sandbox_client import StoreClient


def product(name: str, sku: str = "", **extra: Any) -> dict[str, Any]:
    """A product POST body with BigCommerce's required fields."""
    return {"name": name, "type": "physical", "weight": 1, "price": 10, "sku": sku, **extra}


def sized(sku: str, size: str, **extra: Any) -> dict[str, Any]:
    """A variant of one "Size" option value, created by display name and label."""
    return {"sku": sku, "option_values": [{"option_display_name": "Size", "label": size}], **extra}


async def create(client: StoreClient, body: dict[str, Any]) -> dict[str, Any]:
    """POST a product and return its data (asserting success)."""
    reply = await client.post("/v3/catalog/products", body)
    assert reply.status == 200, reply.body
    data: dict[str, Any] = reply.data["data"]
    return data
