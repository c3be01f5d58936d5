"""get_orders against the emulated store: configured statuses (and custom ones), stored once,
incremental by modification, created within a window, acknowledged by status or meta field
(and not over someone else's change), orders a busy store lists late."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flxd_woocommerce.sandbox import PessimismConfig, SandboxConfig
from wc_env import NAME, ORDERS, WcEnv, wc_env

from flxd.plugin import AckState, Order

pytestmark = pytest.mark.asyncio


async def hub_orders(env: WcEnv) -> dict[str, Order]:
    async with env.hub() as hub:
        found = await hub.orders.orders(connection=NAME, limit=10_000)
    return {o.channel_order_id: o for o in found}


async def test_orders_in_the_configured_statuses_are_stored_once(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("MUG", "12.00", stock=50)
        env.variable("TEE", ["S", "M"], price="20.00", stock=50)
        env.store.statuses.register("awaiting-pickup")
        env.custom_statuses.append("awaiting-pickup")
        env.settings[ORDERS] = 'statuses = ["processing", "wc-awaiting-pickup"]'
        wanted = env.buy("MUG", "TEE-M")
        pickup = env.buy("MUG", status="awaiting-pickup")
        env.buy("MUG", status="on-hold")
        summary = await env.run_ok(ORDERS)
        assert summary.counts == {"imported": 2}
        orders = await hub_orders(env)
        assert set(orders) == {str(wanted), str(pickup)}
        order = orders[str(wanted)]
        assert (order.status_code, order.status_name) == ("processing", "Processing")
        assert [(line.sku, line.quantity) for line in order.lines] == [("MUG", 1), ("TEE-M", 1)]
        assert order.subtotal == Decimal("32.00")
        assert order.grand_total == order.subtotal + (order.shipping_total or 0) + (
            order.tax_total or 0
        ) - (order.discount_total or 0)
        assert order.customer_name == "Sam Shopper"
        assert order.addresses[0].city == "Austin"
        assert order.lines[0].channel_address_id == order.addresses[0].channel_address_id
        # One request for all statuses at once; nothing stored twice on the next run.
        assert env.requests() == {"GET /wc/v3/orders": 1}
        await env.clock.advance(60)
        assert (await env.run_ok(ORDERS)).counts == {"imported": 0}
        assert len(await hub_orders(env)) == 2


async def test_an_order_that_moves_into_a_status_later_is_imported_then(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("MUG", stock=50)
        order = env.buy("MUG", status="pending")
        await env.run_ok(ORDERS)
        await env.clock.advance(600)
        env.sandbox.set_order_status("shop1", order, "processing")
        await env.clock.advance(60)
        assert (await env.run_ok(ORDERS)).counts == {"imported": 1}
        request = env.sandbox.requests("shop1").entries[-1]
        assert request.query["modified_after"] == "2025-01-15T11:54:55"
        assert request.query["dates_are_gmt"] == "true"


async def test_created_within_days_leaves_older_orders_out(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("MUG", stock=50)
        from wc_env import START

        old = env.sandbox.place_order("shop1", None, created_at=START - timedelta(days=40)).id
        new = env.buy("MUG")
        env.settings[ORDERS] = "created_within_days = 30"
        await env.run_ok(ORDERS)
        assert set(await hub_orders(env)) == {str(new)}
        assert str(old) not in await hub_orders(env)


@pytest.mark.parametrize("how", ["status", "meta_data"])
async def test_orders_are_acknowledged_in_batches(tmp_path: Path, how: str) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("MUG", stock=500)
        ids = [env.buy("MUG") for _ in range(120)]
        env.settings[ORDERS] = (
            f'acknowledge = "{how}"\nacknowledge_status = "on-hold"\nmeta_key = "flxd_imported"'
        )
        summary = await env.run_ok(ORDERS)
        assert summary.counts == {"imported": 120, "acknowledged": 120}
        assert env.requests()["POST /wc/v3/orders/batch"] == 2
        for order_id in ids:
            order = env.store.orders.orders[order_id]
            if how == "status":
                assert order.status == "on-hold"
            else:
                assert any(m.key == "flxd_imported" for m in order.meta)
        states = {o.ack_state for o in (await hub_orders(env)).values()}
        assert states == {AckState.DONE}


async def test_an_order_changed_by_someone_else_is_not_overwritten(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("MUG", stock=50)
        order_id = env.buy("MUG")
        env.settings[ORDERS] = 'acknowledge = "status"\nacknowledge_status = "on-hold"'
        # The acknowledgement did not reach the store (an item the store did not save).
        env.store.orders.orders[order_id]  # exists
        async with env.hub() as hub:
            await hub.orders.store_many([await _as_pending(env, order_id)], acknowledge=True)
        env.sandbox.set_order_status("shop1", order_id, "cancelled")
        summary = await env.run_ok(ORDERS)
        assert summary.counts["ack_conflicts"] == 1
        assert env.store.orders.orders[order_id].status == "cancelled"
        order = (await hub_orders(env))[str(order_id)]
        assert order.ack_state is AckState.CONFLICT
        assert order.status_code == "cancelled"


async def _as_pending(env: WcEnv, order_id: int) -> Order:
    """The order as an earlier run stored it, before acknowledging it."""
    from flxd_woocommerce.orders.mapping import map_order
    from flxd_woocommerce.sandbox.orders.render import order_json

    store = env.store
    raw = order_json(store.orders.orders[order_id], store.site)
    return map_order(NAME, raw)


async def test_orders_a_busy_store_lists_late_are_read_by_the_next_run(tmp_path: Path) -> None:
    config = SandboxConfig(behaviour="pessimistic", pessimism=PessimismConfig(order_lag_s=30))
    async with wc_env(tmp_path, config) as env:
        env.simple("MUG", stock=50)
        order_id = env.buy("MUG")
        assert (await env.run_ok(ORDERS)).counts == {"imported": 0}  # not listed yet
        await env.clock.advance(60)
        assert (await env.run_ok(ORDERS)).counts == {"imported": 1}
        assert str(order_id) in await hub_orders(env)
