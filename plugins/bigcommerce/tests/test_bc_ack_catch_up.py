"""Settling earlier runs' pending acknowledgements makes progress even when the run is stopped
half-way (regression, issue 9: the crash test saw every restart look at the same 100 orders
again and settle none)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bc_orders import orders_env
from flxd_bigcommerce.orders import acknowledge

from flxd.plugin import AckState
from flxd.testing import RunOutcome

pytestmark = pytest.mark.asyncio
BY_STATUS = 'acknowledge = "status"\nacknowledge_status = "Awaiting Shipment"'


async def test_a_catch_up_stopped_half_way_keeps_what_it_settled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with orders_env(tmp_path, get_orders=BY_STATUS) as env:
        for _ in range(25):
            env.place()

        async def crash(*args: object) -> None:
            raise RuntimeError("simulated crash after BigCommerce took the acknowledgements")

        settle = acknowledge.Acknowledger._settle
        monkeypatch.setattr(acknowledge.Acknowledger, "_settle", crash)
        assert (await env.run()).outcome is RunOutcome.FAILED
        monkeypatch.setattr(acknowledge.Acknowledger, "_settle", settle)

        look = acknowledge.Acknowledger._look
        looked = 0

        async def look_then_crash(self: acknowledge.Acknowledger, *args: object) -> object:
            nonlocal looked
            looked += 1
            if looked == 15:
                raise RuntimeError("simulated crash in the middle of the catch-up")
            return await look(self, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(acknowledge.Acknowledger, "_look", look_then_crash)
        await env.advance(60)
        assert (await env.run()).outcome is RunOutcome.FAILED
        states = [o.ack_state for o in (await env.hub_orders()).values()]
        assert states.count(AckState.DONE) == 10
        assert states.count(AckState.PENDING) == 15
