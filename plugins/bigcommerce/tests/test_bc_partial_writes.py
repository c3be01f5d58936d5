"""207 partial writes on the pessimistic store: a product saved without its stock is recorded
as such (not pushed, the run partial with BigCommerce's reason), and the stock reaches the store
through the next sync, once -- not retried for ever."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from bc_listings import PUBLISH, SYNC, listings_env
from flxd_bigcommerce.listings.batches import BatchSender, Write
from flxd_bigcommerce.sandbox import PessimisticSettings
from test_bc_publish_listings import MUG, tee, upsert

from flxd.plugin import LinkState
from flxd.testing import RunOutcome

pytestmark = pytest.mark.asyncio

# Only the 207s: every write carrying stock loses it.
EVERY_STOCK_WRITE_LOST = {
    "behaviour": "pessimistic",
    "pessimism": replace(PessimisticSettings.off(), partial_write_rate=1.0),
}
STOCK_WRITES = "PUT /v3/inventory/adjustments/absolute"


async def test_a_product_saved_without_its_stock_is_not_marked_pushed(tmp_path: Path) -> None:
    async with listings_env(tmp_path, sandbox_config=EVERY_STOCK_WRITE_LOST) as env:
        await upsert(env, [*tee(), MUG])
        published = await env.run(PUBLISH)
        assert published.outcome is RunOutcome.PARTIAL
        assert published.counts["created"] == 2
        assert published.counts == {"created": 2, "skipped": 2}
        assert published.error is not None and "saved in part" in published.error
        assert "variants.0.inventory_level" in published.error
        links = {**await env.links("TEE-S"), **await env.links("MUG")}
        assert {sku: link.state for sku, link in links.items()} == {
            "TEE-S": LinkState.LISTED,
            "TEE-M": LinkState.LISTED,
            "MUG": LinkState.LISTED,
        }
        assert all(link.pushed_quantity is None and link.error for link in links.values())
        assert (env.stock("TEE-S"), env.stock("MUG")) == (0, 0)  # the 207 lost it

        # Inventory adjustments carry the stock (they answer no 207): sent once, then settled.
        synced = await env.run_ok(SYNC)
        assert (env.stock("TEE-S"), env.stock("TEE-M"), env.stock("MUG")) == (5, 0, 12)
        assert synced.counts.get("retry_later", 0) == 0
        links = {**await env.links("TEE-S"), **await env.links("MUG")}
        assert [link.pushed_quantity for link in links.values()] == [5, 0, 12]
        env.reset_requests()
        await env.run_ok(SYNC)
        assert STOCK_WRITES not in env.requests()


class PartlySaving:
    """A store that answers a variants batch 207, naming one item's price as not saved."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = json.dumps(body).encode()

    async def request(self, method: str, version: str, path: str, **kw: Any) -> Any:
        return SimpleNamespace(status=207, body=self.body, data=None, planned=False)


def _write(variant_id: int) -> Write:
    return Write("variants", ("id", variant_id), 1, (variant_id,), {"id": variant_id})


async def test_a_207_batch_item_is_sent_again_and_the_others_are_taken() -> None:
    error = {"status": 207, "title": "saved in part", "errors": {"12.price": "not saved"}}
    sender = BatchSender(PartlySaving({"data": [], "errors": error}), location_id=1)  # type: ignore[arg-type]
    writes = [_write(11), _write(12), _write(13)]
    delivery = await sender.send("variants", writes)
    assert [w.target[1] for w in delivery.taken] == [11, 13]
    assert [(w.target[1], why) for w, why in delivery.again] == [
        (12, "saved in part: 12.price: not saved")
    ]


async def test_a_207_naming_no_item_leaves_every_item_to_send_again() -> None:
    sender = BatchSender(PartlySaving({"data": [], "errors": {}}), location_id=1)  # type: ignore[arg-type]
    delivery = await sender.send("variants", [_write(11), _write(12)])
    assert delivery.taken == [] and len(delivery.again) == 2
