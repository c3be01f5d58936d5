"""A dry run sends no write to the store and moves no cursor, and its plan is what the real run
then does."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from bc_env import HOST, sandbox_env
from flxd_bigcommerce.sandbox import SandboxConfig

from flxd.plugin import Presence, SystemClock, VariantUpdate
from flxd.testing import Catalog, Cursors, Daemon, Journal, OrderBook, open_hub

pytestmark = pytest.mark.asyncio

OPERATIONS = """
[connections.shop.import_listings]
enabled = true
[connections.shop.publish_listings]
enabled = true
[connections.shop.sync_listings]
enabled = true
[connections.shop.get_orders]
enabled = true
statuses = ["Awaiting Fulfillment"]
acknowledge = "status"
acknowledge_status = "Awaiting Shipment"
[connections.shop.sync_orders]
enabled = true
"""


async def test_the_plan_sends_nothing_and_is_what_the_real_run_does(tmp_path: Path) -> None:
    async with sandbox_env(
        tmp_path, SandboxConfig(seed_products=6, seed_orders=0, quota=None)
    ) as env:
        config = env.config(env.connection(operations=OPERATIONS))
        sandbox, store = env.sandbox, env.sandbox.store(env.store_hash)
        sandbox.place_order(env.store_hash)
        assert all(s.outcome.value == "ok" for s in await Daemon(config, HOST).run_once())

        # Changes waiting to be pushed: a price, a hidden listing, a new listing, a shipment,
        # and a new order to acknowledge.
        async with open_hub(config) as db, db.transaction() as tx:
            catalog = Catalog(tx, SystemClock().now())
            listings = await catalog.listings(limit=100)
            simple = next(x for x in listings if len(x.variants) == 1)
            hidden = next(x for x in listings if x.id != simple.id)
            await catalog.upsert(
                [
                    VariantUpdate(sku=simple.variants[0].sku, price=Decimal("1.23")),
                    VariantUpdate(
                        sku="MUG-1",
                        parent="MUG",
                        listing_name="Blue mug",
                        price=Decimal("9.50"),
                        quantity=4,
                    ),
                ]
            )
            await catalog.set_presence([hidden.key], Presence.HIDDEN)
            book = OrderBook(tx, SystemClock().now())
            [imported] = await book.orders(connection="shop")
            assert imported.id is not None
            await book.record_shipment(imported.id, carrier="ups", tracking_number="1Z1")
            cursors_before = await Cursors(tx, SystemClock().now()).every()
            runs_before = len(await Journal(tx, SystemClock().now()).runs(limit=1000))
        new_order = sandbox.place_order(env.store_hash)
        store.counters.reset()

        dry = await Daemon(config, HOST).run_once(dry_run=True)
        assert all(s.outcome.value == "ok" for s in dry), [s.error for s in dry]
        sent = {endpoint for endpoint in store.counters.by_endpoint}
        assert sent and all(endpoint.startswith("GET ") for endpoint in sent), sent
        plan = [step for s in dry for step in s.plan]
        async with open_hub(config) as db, db.transaction() as tx:
            journal = Journal(tx, SystemClock().now())
            assert await Cursors(tx, SystemClock().now()).every() == cursors_before
            assert len(await journal.runs(limit=1000)) == runs_before
        actions = sorted(step["action"] for step in plan)
        assert actions == [
            "acknowledge",
            "create_product",
            "create_shipment",
            "hide",
            "update_price",
        ], plan

        real = await Daemon(config, HOST).run_once()
        assert all(s.outcome.value == "ok" for s in real)
    by_action = {step["action"]: step for step in plan}
    price = by_action["update_price"]
    assert price["sku"] == simple.variants[0].sku and str(price["new"]) == "1.23"
    owner = next(iter(store.catalog.owner_of_sku(simple.variants[0].sku)))
    product = store.catalog.products[owner[0]]
    assert product.price == Decimal("1.23") or store.catalog.variants[owner[1]].price == Decimal(
        "1.23"
    )
    assert store.catalog.owner_of_sku("MUG-1"), "the planned product was created"
    assert by_action["create_product"]["sku"] == "MUG-1"
    assert str(by_action["acknowledge"]["order"]) == str(new_order.id)
    assert store.orders.order(new_order.id).status_id == 9
    assert len(store.orders.shipments_of(int(by_action["create_shipment"]["order"]))) == 1
    hide = by_action["hide"]
    assert hide["listing"] == hidden.key
    assert store.catalog.products[int(hide["product"])].availability == "disabled"
