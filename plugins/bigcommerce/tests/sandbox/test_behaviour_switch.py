"""Choosing the behaviour: SandboxConfig, the command line, the control API and a flxd
connection's ``sandbox = {...}``; every way refuses pessimistic knobs without the behaviour."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest
from flxd_bigcommerce import embedded
from flxd_bigcommerce.config import EmbeddedSandbox
from flxd_bigcommerce.sandbox import PessimisticSettings, SandboxConfig
from flxd_bigcommerce.sandbox.cli import config_from_args, configure_parser, serve_forever
from pydantic import ValidationError
from sandbox_env import Env, open_sandbox
from sandbox_payloads import create, product

from flxd.testing import build_parser, load_plugins


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    return parser.parse_args(argv)


def test_documented_is_the_default_and_pessimistic_has_every_knob_on() -> None:
    assert SandboxConfig().behaviour == "documented"
    knobs = SandboxConfig(behaviour="pessimistic").pessimism
    assert knobs == PessimisticSettings()
    assert knobs.date_modified_on_product_fields_only and knobs.exclusive_v2_date_bounds
    assert (knobs.variants_page_limit, knobs.v2_page_limit) == (50, 50)
    assert (knobs.visibility_delay, knobs.order_listing_lag, knobs.webhook_max_delay) == (5, 5, 60)
    assert min(knobs.partial_write_rate, knobs.webhook_loss_rate, knobs.bare_429_rate) > 0
    off = PessimisticSettings.off()
    assert not off.date_modified_on_product_fields_only and not off.exclusive_v2_date_bounds
    assert (off.variants_page_limit, off.v2_page_limit, off.visibility_delay) == (250, 250, 0)


def test_bad_settings_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="behaviour must be one of documented, pessimistic"):
        SandboxConfig(behaviour="optimistic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="only apply to behaviour='pessimistic'"):
        SandboxConfig(pessimism=PessimisticSettings(visibility_delay=1))
    with pytest.raises(ValueError, match="v2_page_limit must be between 1 and 250"):
        PessimisticSettings(v2_page_limit=0)
    with pytest.raises(ValueError, match="webhook_loss_rate must be between 0 and 1"):
        PessimisticSettings(webhook_loss_rate=1.5)
    with pytest.raises(ValueError, match="visibility_delay must be a number of seconds"):
        PessimisticSettings(visibility_delay=-1)
    with pytest.raises(ValueError, match="unknown pessimistic setting"):
        PessimisticSettings.from_mapping({"visibility_dealy": 3})


def test_command_line_options() -> None:
    assert config_from_args(parse()).behaviour == "documented"
    config = config_from_args(
        parse(
            "--behaviour",
            "pessimistic",
            "--visibility-delay",
            "2.5",
            "--v2-page-limit",
            "100",
            "--webhook-loss-rate",
            "0",
            "--stock-bumps-date-modified",
        )
    )
    assert config.behaviour == "pessimistic"
    assert config.pessimism == replace(
        PessimisticSettings(),
        visibility_delay=2.5,
        v2_page_limit=100,
        webhook_loss_rate=0.0,
        date_modified_on_product_fields_only=False,
    )
    assert config_from_args(parse("--behaviour", "pessimistic")).pessimism == PessimisticSettings()
    with pytest.raises(ValueError, match="--visibility-delay tune the pessimistic behaviour"):
        config_from_args(parse("--visibility-delay", "2"))
    for bad in (("--behaviour", "hopeful"), ("--v2-page-limit", "251"), ("--bare-429-rate", "2")):
        with pytest.raises(SystemExit):
            parse(*bad)


def test_flxd_sandbox_and_python_dash_m_take_the_options() -> None:
    host = load_plugins()
    parser = build_parser([r.item for r in host.commands], [r.item for r in host.channels])
    args = parser.parse_args(["sandbox", "--behaviour", "pessimistic", "--order-listing-lag", "9"])
    config = config_from_args(args)
    assert (config.behaviour, config.pessimism.order_listing_lag) == ("pessimistic", 9.0)
    shown = subprocess.run(
        [sys.executable, "-m", "flxd_bigcommerce.sandbox", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "--behaviour {documented,pessimistic}" in shown and "--visibility-delay" in shown


@pytest.mark.asyncio
async def test_conflicting_options_end_the_command_with_status_2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert await serve_forever(parse("--order-listing-lag", "3")) == 2
    assert "add --behaviour pessimistic" in err.getvalue()


async def control(env: Env, method: str, body: Any = None) -> tuple[int, Any]:
    async with env.session.request(
        method, f"{env.base_url}/__sandbox/behaviour", json=body
    ) as response:
        return response.status, json.loads(await response.text())


@pytest.mark.asyncio
async def test_the_control_api_switches_the_behaviour_at_once() -> None:
    async with open_sandbox() as env:
        status, shown = await control(env, "GET")
        assert (status, shown["behaviour"]) == (200, "documented")
        assert shown["pessimism"] == PessimisticSettings().to_json()
        status, shown = await control(
            env, "PUT", {"behaviour": "pessimistic", "pessimism": {"order_listing_lag": 3}}
        )
        assert (status, shown["behaviour"], shown["pessimism"]["order_listing_lag"]) == (
            200,
            "pessimistic",
            3,
        )
        await create(env.client, product("Mug", "MUG"))
        env.sandbox.place_order(env.store)
        assert (await env.client.get("/v2/orders")).status == 204  # lagging behind
        for bad in (
            {"behaviour": "hopeful"},
            {"pessimism": {"order_listing_lag": -1}},
            {"pessimism": {"nope": 1}},
            {"pessimism": 3},
            {"behavior": "pessimistic"},
        ):
            status, error = await control(env, "PUT", bad)
            assert status == 400 and error["error"], bad
        assert (await control(env, "PUT", {"behaviour": "documented"}))[1]["behaviour"] == (
            "documented"
        )
        await env.clock.advance(3)
        assert len((await env.client.get("/v2/orders")).data) == 1
        env.sandbox.set_behaviour("pessimistic")
        env.sandbox.reset()
        assert env.sandbox.behaviour.name == "documented"  # back to the configured one


def test_a_connection_chooses_the_behaviour_in_its_sandbox_table() -> None:
    settings = EmbeddedSandbox.model_validate(
        {"behaviour": "pessimistic", "visibility_delay": "3s", "v2_page_limit": 100}
    )
    assert settings.pessimism() == {"visibility_delay": 3.0, "v2_page_limit": 100}
    assert EmbeddedSandbox().behaviour == "documented" and EmbeddedSandbox().pessimism() == {}
    with pytest.raises(ValidationError, match='add behaviour = "pessimistic"'):
        EmbeddedSandbox.model_validate({"order_listing_lag": "5s"})
    with pytest.raises(ValidationError):
        EmbeddedSandbox.model_validate({"behaviour": "hopeful"})
    with pytest.raises(ValidationError):
        EmbeddedSandbox.model_validate({"behaviour": "pessimistic", "bare_429_rate": 2})


@pytest.mark.asyncio
async def test_connections_with_different_behaviours_get_different_stores() -> None:
    pessimistic = EmbeddedSandbox(
        seed_products=1, seed_orders=0, behaviour="pessimistic", visibility_delay=2.0
    )
    documented = EmbeddedSandbox(seed_products=1, seed_orders=0)
    first = await embedded.acquire(pessimistic, "embp1", "a")
    second = await embedded.acquire(documented, "embp1", "b")
    try:
        assert first.sandbox is not second.sandbox
        assert first.sandbox.behaviour.name == "pessimistic"
        assert first.sandbox.behaviour.active == replace(
            PessimisticSettings(), visibility_delay=2.0
        )
        assert second.sandbox.behaviour.name == "documented"
    finally:
        await embedded.release(pessimistic, "a")
        await embedded.release(documented, "b")
