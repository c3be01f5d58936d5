"""Personal-data retention: after `pii_retention_days` the hub keeps the order but not who
bought it, even when get_orders has nothing new to do, and no log line ever carries it."""

from __future__ import annotations

from pathlib import Path

import pytest
import structlog
from bc_orders import OrdersEnv, orders_env
from flxd_bigcommerce.sandbox import Address

from flxd.plugin import Operation

pytestmark = pytest.mark.asyncio

CUSTOMER = Address(
    first_name="Zelda",
    last_name="Quixotic-Pryce",
    company="Pryce Widgets",
    street_1="77 Wintergreen Lane",
    street_2="Flat 9",
    city="Throckmorton",
    state="Nebraska",
    zip="68999",
    country="United States",
    country_iso2="US",
    phone="+1 402 555 0199",
    email="zelda.qp@example.org",
)
PERSONAL = [
    "Zelda",
    "Quixotic",
    "Pryce",
    "Wintergreen",
    "Flat 9",
    "Throckmorton",
    "Nebraska",
    "68999",
    "555 0199",
    "zelda.qp@example.org",
]


async def database_text(env: OrdersEnv) -> str:
    """Every value of every row of every table, as text."""
    async with env.tx() as tx:
        tables = [
            r[0] for r in await tx.fetch("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        parts: list[str] = []
        for table in tables:
            for row in await tx.fetch(f'SELECT * FROM "{table}"'):
                parts.extend(str(row[i]) for i in range(len(row.keys())))
    return "\n".join(parts)


def file_bytes(env: OrdersEnv) -> bytes:
    state = env.bc.tmp_path / "state"
    return b"".join(p.read_bytes() for p in sorted(state.glob("flxd.db*")))


async def test_personal_data_is_erased_after_the_retention_period(tmp_path: Path) -> None:
    get_orders = "pii_retention_days = 30"
    with structlog.testing.capture_logs() as logs:
        async with orders_env(tmp_path, get_orders=get_orders) as env:
            placed = env.place(lines=2, customer=CUSTOMER)
            await env.run_ok()
            await env.run_ok(Operation.SYNC_ORDERS)
            text = await database_text(env)
            assert all(value in text for value in PERSONAL)
            await env.advance(29 * 86400)
            kept = await env.run_ok()
            assert "pii_erased" not in kept.counts
            await env.advance(2 * 86400)
            purged = await env.run_ok()  # nothing new to import: the purge runs all the same
            assert purged.counts == {"imported": 0, "pii_erased": 1}
            text = await database_text(env)
            assert [value for value in PERSONAL if value in text] == []
            order = (await env.hub_orders())[str(placed.id)]
            assert order.pii_erased_at is not None
            assert order.customer_name is None and order.customer_email is None
            assert order.billing_address is None and order.customer_phone is None
            assert order.grand_total == placed.total_inc_tax and order.status_code == "11"
            assert [line.sku for line in order.lines] == [line.sku for line in placed.lines]
            again = await env.run_ok()
            assert "pii_erased" not in again.counts
        raw = file_bytes(env)  # the database closed: what is left in its files
        assert [v for v in PERSONAL if v.encode() in raw] == []
    logged = repr(logs)
    assert [value for value in PERSONAL if value in logged] == []


@pytest.mark.parametrize("setting", ["pii_retention_days = 0", "", 'pii_retention_days = ""'])
async def test_zero_or_blank_keeps_personal_data(tmp_path: Path, setting: str) -> None:
    async with orders_env(tmp_path, get_orders=setting) as env:
        env.place(customer=CUSTOMER)
        await env.run_ok()
        await env.advance(3650 * 86400)
        summary = await env.run_ok()
        assert "pii_erased" not in summary.counts
        assert "zelda.qp@example.org" in await database_text(env)
