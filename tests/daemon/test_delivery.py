"""Outbox delivery: at least once, in order, and a failing sink never loses or skips events."""

from __future__ import annotations

import pytest

from flxd.daemon.delivery import Delivery
from flxd.hub.outbox import Event, Outbox
from flxd.store import Database
from flxd.testing import FakeClock

pytestmark = pytest.mark.asyncio


class FlakySink:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[int] = []

    async def deliver(self, events: list[Event]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("sink down")
        self.received.extend(e.id for e in events)

    async def aclose(self) -> None:
        return None


async def test_a_failing_sink_backs_off_and_later_gets_everything_in_order(
    flxd_hub: Database, flxd_clock: FakeClock
) -> None:
    good, flaky = FlakySink(0), FlakySink(2)
    delivery = Delivery(flxd_hub, flxd_clock, {"good": good, "flaky": flaky})
    async with flxd_hub.transaction() as tx:
        ids = [
            await Outbox(tx, flxd_clock.now()).emit("order.imported", {"n": n}) for n in range(450)
        ]
    assert await delivery.deliver_pending() == 450
    assert good.received == ids and flaky.received == []
    assert await delivery.deliver_pending() == 0  # flaky is backing off; nothing re-sent to good
    await flxd_clock.advance(1)
    await delivery.deliver_pending()  # second failure: it backs off longer
    await flxd_clock.advance(10)
    assert await delivery.deliver_pending() == 450
    assert flaky.received == ids and good.received == ids
    async with flxd_hub.transaction() as tx:
        assert await Outbox(tx, flxd_clock.now()).backlog() == {"good": 0, "flaky": 0}
