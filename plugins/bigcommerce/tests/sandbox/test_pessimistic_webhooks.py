"""Pessimistic webhooks beside documented ones: late (up to a minute, by the sandbox clock),
twice, out of order, and some never -- all reproducible from the seed."""

from __future__ import annotations

from typing import Any

import pytest
from flxd_bigcommerce.sandbox import SandboxConfig
from flxd_bigcommerce.sandbox.behaviour import BehaviourName
from sandbox_env import BEHAVIOURS, START, Env, behaving, open_sandbox
from sandbox_hooks import Received, receiver, register
from sandbox_payloads import create, product

pytestmark = pytest.mark.asyncio

ROUGH = {"webhook_max_delay": 60.0, "webhook_duplicate_rate": 0.3, "webhook_loss_rate": 0.2}


def ids_of(received: Received) -> list[int]:
    return [payload["data"]["id"] for _, payload in received]


async def products(env: Env, count: int) -> list[int]:
    made: list[int] = []
    for index in range(count):
        created: dict[str, Any] = await create(env.client, product(f"Hooked {index}", f"H{index}"))
        made.append(created["id"])
    return made


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
async def test_webhooks_arrive_late_twice_out_of_order_or_never(behaviour: BehaviourName) -> None:
    async with open_sandbox(behaving(behaviour, **ROUGH)) as env, receiver() as (url, received):
        await register(env, "store/product/created", url)
        made = await products(env, 20)
        await env.sandbox.deliver_due()
        lost = [d.payload["data"]["id"] for d in env.sandbox.lost_deliveries(env.store)]
        if behaviour == "documented":
            assert (ids_of(received), lost, env.sandbox.dispatcher.waiting) == (made, [], 0)
            return
        assert received == []  # nothing before the clock moves
        await env.clock.advance(30)
        await env.sandbox.deliver_due()
        halfway = len(received)
        await env.clock.advance(30)
        await env.sandbox.deliver_due()
        arrived = ids_of(received)
        assert 0 < halfway < len(arrived)
        assert env.sandbox.dispatcher.waiting == 0  # a minute is the longest wait
        assert lost and set(arrived) | set(lost) == set(made) and not set(arrived) & set(lost)
        assert len(arrived) > len(set(arrived))  # some came twice
        firsts = list(dict.fromkeys(arrived))
        assert firsts != sorted(firsts, key=made.index)  # not in the order they happened
        # Every copy carries the moment of the event, not of its delivery.
        assert {payload["created_at"] for _, payload in received} == {int(START.timestamp())}


async def test_late_and_lost_webhooks_are_reproducible_from_the_seed() -> None:
    async def outcome(seed: int) -> tuple[list[int], list[int]]:
        base = SandboxConfig(quota=None, seed=seed)
        async with open_sandbox(behaving("pessimistic", base, **ROUGH)) as env:
            async with receiver() as (url, received):
                await register(env, "store/product/created", url)
                await products(env, 12)
                await env.clock.advance(60)
                await env.sandbox.deliver_due()
            lost = [d.payload["data"]["id"] for d in env.sandbox.lost_deliveries(env.store)]
            return ids_of(received), lost

    first = await outcome(seed=3)
    assert first == await outcome(seed=3)
    assert first != await outcome(seed=4)
