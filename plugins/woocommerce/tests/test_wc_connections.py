"""`flxd connections check` and `flxd orders explain` against the emulated store: each kind of
trouble gets its own verdict; an order's reasons are the values compared."""

from __future__ import annotations

from pathlib import Path

import pytest
import structlog
from flxd_woocommerce.sandbox import SandboxConfig
from wc_env import HOST, NAME, ORDERS, WcEnv, wc_env

from flxd.plugin import CheckContext, CheckReport, Operation, OrderExplanation
from flxd.testing import build_runtime, open_session

pytestmark = pytest.mark.asyncio

WRITERS = (Operation.IMPORT_LISTINGS, Operation.SYNC_LISTINGS)


async def _context(env: WcEnv, environ: dict[str, str] | None, operations: tuple[Operation, ...]):  # type: ignore[no-untyped-def]
    config = env.config(environ)
    conn = config.connections[NAME]
    channel_type = HOST.channels.get("woocommerce")
    assert channel_type is not None
    return conn, channel_type, operations


async def check(
    env: WcEnv,
    environ: dict[str, str] | None = None,
    operations: tuple[Operation, ...] = WRITERS,
) -> CheckReport:
    config = env.config(environ)
    conn = config.connections[NAME]
    channel_type = HOST.channels.get("woocommerce")
    assert channel_type is not None
    async with open_session() as session:
        runtime = build_runtime(
            conn, channel_type, session=session, clock=env.clock, state_dir=env.tmp_path
        )
        try:
            return await runtime.channel.check(
                CheckContext(
                    connection=NAME,
                    settings=conn.settings,
                    operations=operations,
                    http=runtime.http,
                    clock=env.clock,
                    log=structlog.get_logger(),
                    operation_settings=conn.operations,
                )
            )
        finally:
            await runtime.channel.aclose()


async def explain(env: WcEnv, order_id: str) -> OrderExplanation:
    config = env.config()
    conn = config.connections[NAME]
    channel_type = HOST.channels.get("woocommerce")
    assert channel_type is not None
    async with open_session() as session:
        runtime = build_runtime(
            conn, channel_type, session=session, clock=env.clock, state_dir=env.tmp_path
        )
        try:
            return await runtime.channel.explain_order(  # type: ignore[attr-defined,no-any-return]
                CheckContext(
                    connection=NAME,
                    settings=conn.settings,
                    operations=tuple(conn.enabled_operations()),
                    http=runtime.http,
                    clock=env.clock,
                    log=structlog.get_logger(),
                    operation_settings=conn.operations,
                ),
                order_id,
            )
        finally:
            await runtime.channel.aclose()


async def test_a_working_connection_and_what_the_check_found(tmp_path: Path) -> None:
    async with wc_env(tmp_path, SandboxConfig(tls=True, seed_products=3)) as env:
        report = await check(env)
        assert (report.ok, report.verdict) == (True, "connected"), report
        assert report.details["auth"] == "HTTP Basic over HTTPS"
        assert report.details["products"] == "3"
        assert report.details["keys"] == "read and write confirmed"
        assert report.details["clock skew"] == "+0 s (site minus this machine)"
        assert report.details["shipment tracking"] == "no"
        assert env.store.catalog.products.keys() == env.store.catalog.products.keys()


async def test_wrong_keys_and_read_only_keys_are_told_apart(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        wrong = {**env.environ, "WC_SECRET": "cs_wrong"}
        report = await check(env, wrong)
        assert not report.ok and report.verdict.startswith("keys rejected"), report.verdict
        assert "Invalid signature" in report.verdict
        reader = env.sandbox.create_key("shop1", "read")
        only_read = {"WC_KEY": reader.consumer_key, "WC_SECRET": reader.consumer_secret}
        report = await check(env, only_read)
        assert not report.ok and report.verdict.startswith("read-only keys"), report.verdict
        # Enough for a connection that only reads.
        report = await check(env, only_read, (Operation.IMPORT_LISTINGS,))
        assert report.ok, report.verdict
        assert report.details["keys"] == "read confirmed (the enabled operations only read)"


async def test_permalinks_off_and_a_wrong_url_are_told_apart(tmp_path: Path) -> None:
    async with wc_env(tmp_path, check_requests=False) as env:
        env.sandbox.configure_store("shop1", permalinks=False)
        report = await check(env)
        assert not report.ok and report.verdict.startswith("pretty permalinks are off"), report
        env.sandbox.configure_store("shop1", permalinks=True)
        env.extra = ""
        real = env.site_url
        config_text = env.connection().replace(real, real.replace("/stores/shop1", "/nowhere"))
        env.connection = lambda: config_text  # type: ignore[method-assign]
        report = await check(env)
        assert not report.ok and report.verdict.startswith("wrong url"), report.verdict


async def test_orders_are_explained_with_the_values_compared(tmp_path: Path) -> None:
    async with wc_env(tmp_path) as env:
        env.simple("MUG", stock=5)
        held = env.buy("MUG", status="on-hold")
        env.settings[ORDERS] = 'statuses = ["processing"]'
        found = await explain(env, str(held))
        assert found.found
        assert found.facts["status"] == "on-hold (On hold)"
        assert found.reasons == (
            "its status on-hold (On hold) is not among the configured statuses: "
            "processing (Processing)",
        )
        missing = await explain(env, "999999")
        assert not missing.found and "has no order 999999" in missing.reasons[0]
        assert not (await explain(env, "abc")).found
