"""sync_orders against the emulated store: a shipment becomes a note to the customer, or a
Shipment Tracking entry when the store has the extension; once, even when the answer to the
write was lost; the order completed once everything has shipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from flxd_woocommerce.sandbox import SandboxConfig
from wc_env import NAME, ORDERS, SHIP, WcEnv, wc_env

from flxd.plugin import ShipmentState
from flxd.testing import ShipmentRequest, record_request

pytestmark = pytest.mark.asyncio


async def ship(env: WcEnv, order_id: int, items: tuple[tuple[str, int], ...] = ()) -> None:
    async with env.tx() as tx:
        await record_request(
            tx,
            env.clock.now(),
            ShipmentRequest(
                order=str(order_id),
                connection=NAME,
                carrier="ups",
                tracking_number=f"1Z{order_id:06d}{len(items)}",
                method="Ground",
                items=items,
            ),
        )


def notes(env: WcEnv, order_id: int) -> list[str]:
    return [n.note for n in env.store.orders.notes_of(order_id) if n.customer_note]


async def test_a_shipment_becomes_a_note_to_the_customer_and_completes_the_order(
    tmp_path: Path,
) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("MUG", stock=50)
        env.simple("CAP", stock=50)
        order_id = env.buy("MUG", "CAP")
        await env.run_ok(ORDERS)
        await ship(env, order_id, (("MUG", 1),))
        assert (await env.run_ok(SHIP)).counts == {"pushed": 1}
        assert notes(env, order_id) == [
            f"Shipped with ups, tracking number 1Z{order_id:06d}1 (Ground): MUG x 1."
        ]
        assert env.store.orders.orders[order_id].status == "processing"  # CAP is not shipped
        await ship(env, order_id)  # everything left
        assert (await env.run_ok(SHIP)).counts == {"pushed": 1, "completed": 1}
        assert env.store.orders.orders[order_id].status == "completed"
        assert len(notes(env, order_id)) == 2
        assert (await env.run_ok(SHIP)).counts == {"pushed": 0}


async def test_the_shipment_tracking_extension_when_the_store_has_it(tmp_path: Path) -> None:
    async with wc_env(tmp_path, SandboxConfig(shipment_tracking=True)) as env:
        env.simple("MUG", stock=50)
        order_id = env.buy("MUG")
        await env.run_ok(ORDERS)
        await ship(env, order_id)
        assert (await env.run_ok(SHIP)).counts == {"pushed": 1, "completed": 1}
        from flxd_woocommerce.sandbox.tracking import items_of

        [entry] = items_of(env.store.orders.orders[order_id])
        assert entry["tracking_number"] == f"1Z{order_id:06d}0"
        assert entry["tracking_provider"] == "ups"  # the extension's own UPS
        assert notes(env, order_id) == []


async def test_a_shipment_whose_answer_was_lost_is_not_sent_twice(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("MUG", stock=50)
        order_id = env.buy("MUG")
        await env.run_ok(ORDERS)
        await ship(env, order_id)
        env.settings[SHIP] = 'tracking = "note"'
        # The note is made, and the answer comes back cut in half: flxd cannot know.
        env.sandbox.set_faults("shop1", "truncated", 1.0)
        first = await env.run(SHIP)
        env.sandbox.set_faults("shop1", None)
        assert first.counts.get("pushed", 0) == 0 and "invalid JSON" in (first.error or "")
        assert len(notes(env, order_id)) == 1
        assert (await env.run_ok(SHIP)).counts == {"pushed": 1, "completed": 1}
        assert len(notes(env, order_id)) == 1  # found, not created again
        async with env.hub() as hub:
            [shipment] = await hub.orders.shipments_of(
                (await hub.orders.get(NAME, str(order_id))).id  # type: ignore[union-attr]
            )
        assert shipment.state is ShipmentState.PUSHED
        assert (shipment.channel_shipment_id or "").startswith("note:")


async def test_a_shipment_that_never_reached_the_store_is_sent_after_a_look(
    tmp_path: Path,
) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("MUG", stock=50)
        order_id = env.buy("MUG")
        await env.run_ok(ORDERS)
        await ship(env, order_id)
        env.settings[SHIP] = 'tracking = "note"'
        env.sandbox.set_faults("shop1", "drop", 1.0)  # the connection closes, nothing done
        first = await env.run(SHIP)
        env.sandbox.set_faults("shop1", None)
        assert first.counts.get("pushed", 0) == 0 and "connection dropped" in (first.error or "")
        assert notes(env, order_id) == []
        assert (await env.run_ok(SHIP)).counts == {"pushed": 1, "completed": 1}
        assert len(notes(env, order_id)) == 1
        looked = [
            e for e in env.sandbox.requests("shop1") if e.method == "GET" and "notes" in e.path
        ]
        assert len(looked) == 1  # one look (the notes are not paged), then the note
