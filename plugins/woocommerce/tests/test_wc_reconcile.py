"""The reconciliation reader: what the store has now, in as few requests as WooCommerce allows,
including the stock drift no `date_modified` shows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import anyio
import pytest
from flxd_woocommerce.channel import WooCommerceChannel
from flxd_woocommerce.reconcile import reconcile
from wc_env import HOST, IMPORT, NAME, SYNC, WcEnv, wc_env

from flxd.plugin import ChannelStock, RunContext
from flxd.testing import Daemon, RunOutcome, Selection, build_runtime, open_hub, open_session

pytestmark = pytest.mark.asyncio


async def read(env: WcEnv) -> list[ChannelStock]:
    config = env.config()
    conn = config.connections[NAME]
    channel_type = HOST.channels.get("woocommerce")
    assert channel_type is not None
    found: list[ChannelStock] = []
    async with open_hub(config) as db, open_session() as session:
        runtime = build_runtime(
            conn, channel_type, session=session, clock=env.clock, state_dir=env.tmp_path, db=db
        )
        channel = runtime.channel
        assert isinstance(channel, WooCommerceChannel)
        ctx = RunContext(
            connection=NAME,
            operation=IMPORT,
            run_id=0,
            settings=conn.operations[IMPORT],
            connection_settings=conn.settings,
            full=False,
            db=db,
            clock=env.clock,
            http=runtime.http,
            cursors={},
            stop=anyio.Event(),
        )
        async for batch in reconcile(channel, ctx):
            found += batch
        await channel.aclose()
    return found


async def test_stock_set_behind_the_api_is_seen(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        for n in range(150):
            env.simple(f"S{n:03d}", "2.00", stock=5)
        tee = env.variable("TEE", ["S", "M"], price="20.00", stock=3)
        await env.run_ok(IMPORT)
        env.variable("LATER", ["S"])  # on the store, not linked: nothing the hub tracks there
        # Another system sets stock: no date_modified moves, no webhook fires (issue 40060).
        env.sandbox.set_stock("shop1", env.item("TEE-M").id, 11)
        env.sandbox.set_stock("shop1", env.item("S007").id, 0)
        env.reset_requests()
        found = {(s.product_ref, s.variant_ref): s for s in await read(env)}
        assert found[(str(tee), str(env.item("TEE-M").id))].quantity == 11
        assert found[(str(env.item("S007").id), None)] == ChannelStock(
            product_ref=str(env.item("S007").id),
            variant_ref=None,
            price=Decimal("2.00"),
            quantity=0,
        )
        assert len(found) == 150 + 2
        assert env.requests() == {
            "GET /wc/v3/products": 2,  # 152 products, 100 a page (one overlapping)
            "GET /wc/v3/products/{product_id}/variations": 1,  # only the linked variable one
        }
        fields = {e.query.get("_fields") for e in env.sandbox.requests("shop1").entries[-3:]}
        assert fields == {
            "id,type,regular_price,manage_stock,stock_quantity",
            "id,regular_price,manage_stock,stock_quantity",
        }


async def reconcile_run(env: WcEnv) -> dict[str, int]:
    """`flxd run --once shop import_listings --reconcile`; its counts."""
    [summary] = await Daemon(env.config(), HOST, clock=env.clock).run_once(
        Selection(NAME, IMPORT, reconcile=True)
    )
    assert summary.outcome is RunOutcome.OK, summary.error
    return summary.counts


async def test_stock_set_behind_the_api_is_put_back_by_the_next_sync(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("MUG", "8.50", stock=4)
        env.variable("TEE", ["S", "M"], price="20.00", stock=3)
        await env.run_ok(IMPORT)
        for _ in range(2):  # until the import's overlap no longer covers these products
            await env.clock.advance(3600)
            await env.run_ok(IMPORT)
        # Another system sets stock: no date_modified moves, no webhook fires (issue 40060).
        env.sandbox.set_stock("shop1", env.item("TEE-M").id, 11)
        env.sandbox.set_stock("shop1", env.item("MUG").id, 0)
        assert (await env.run_ok(IMPORT)).counts.get("products", 0) == 0
        assert (await env.run_ok(SYNC)).counts.get("pushed", 0) == 0
        assert (env.item("TEE-M").stock_quantity, env.item("MUG").stock_quantity) == (11, 0)

        counts = await reconcile_run(env)
        assert (counts["reconcile_checked"], counts["reconcile_drifted"]) == (3, 2)
        assert (await env.run_ok(SYNC)).counts["pushed"] == 2
        assert (env.item("TEE-M").stock_quantity, env.item("MUG").stock_quantity) == (3, 4)
        assert (await reconcile_run(env))["reconcile_drifted"] == 0
