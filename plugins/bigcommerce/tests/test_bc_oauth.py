"""Connecting a store by OAuth, end to end against the sandbox's login service: approval URL,
callback, code exchange, scope check, encrypted token, replayed and denied callbacks."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp
import anyio
import pytest
import pytest_asyncio
import structlog
from aiohttp import web
from bc_env import HOST
from flxd_bigcommerce import oauth
from flxd_bigcommerce.sandbox import FLXD_SCOPES, OAuthAppConfig, Sandbox, SandboxConfig

from flxd.plugin import CheckContext, Config, Operation, SystemClock, Vault, WebContext
from flxd.testing import (
    ConnectionHealth,
    Daemon,
    Database,
    HealthBook,
    HttpClient,
    Limiter,
    PendingAuth,
    RetryPolicy,
    RunOutcome,
    Selection,
    build_runtime,
    open_hub,
    open_session,
    parse_config,
)

SECRET_KEY = "a-test-secret-key-of-32-characters!"


@dataclass
class Flow:
    sandbox: Sandbox
    config: Config
    db: Database
    callback_base: str
    reloads: list[int]
    session: aiohttp.ClientSession

    async def approve(self) -> str:
        """`flxd connections add`'s part: start an approval, return the callback URL it leads to."""
        async with self.db.transaction() as tx:
            pending = await PendingAuth.start(
                tx, "shop", "bigcommerce", SystemClock().now(), timedelta(hours=1)
            )
        url = oauth.authorize_url(
            self.config.connections["shop"], pending.state, self.config.admin.url
        )
        assert url is not None
        async with self.session.get(url, allow_redirects=False) as response:
            assert response.status == 302, await response.text()
            return response.headers["Location"]

    async def call(self, url: str) -> tuple[int, str]:
        async with self.session.get(url) as response:
            return response.status, await response.text()


async def start_flow(tmp_path: Path, app: OAuthAppConfig) -> AsyncIterator[Flow]:
    sandbox = Sandbox(SandboxConfig(seed_products=2, oauth=app))
    async with sandbox.serve() as base_url, aiohttp.ClientSession() as session:
        store_hash = sandbox.store_hashes[0]
        callback = web.Application()
        holder: dict[str, WebContext] = {}

        async def handler(request: web.Request) -> web.StreamResponse:
            return await oauth.callback(request, holder["ctx"])

        callback.router.add_get(oauth.CALLBACK_PATH, handler)
        runner = web.AppRunner(callback)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        text = f"""
[daemon]
state_dir = "{tmp_path}/state"
[admin]
public_url = "http://{host}:{port}"
[connections.shop]
channel = "bigcommerce"
store_hash = "{store_hash}"
auth = "oauth"
client_id = "{app.client_id}"
client_secret_env = "BC_SECRET"
api_base_url = "{base_url}"
login_base_url = "{sandbox.login_base_url}"
"""
        (tmp_path / "flxd.toml").write_text(text)  # for the commands run as processes
        config = parse_config(
            text,
            registries=HOST,
            environ={"BC_SECRET": app.client_secret},
            path=tmp_path / "flxd.toml",
        )
        reloads: list[int] = []

        async def reload() -> None:
            reloads.append(1)

        async with open_hub(config) as db:
            http = HttpClient(
                session=session,
                limiter=Limiter(SystemClock()),
                policy=HOST.channels.get("bigcommerce").http_policy,  # type: ignore[union-attr]
                clock=SystemClock(),
                retry=RetryPolicy(attempts=1),
                rng=random.Random(0),
            )
            holder["ctx"] = WebContext(
                config=config,
                db=db,
                clock=SystemClock(),
                http=http,
                request_run=lambda c, o, t: True,
                reload=reload,
                state_dir=tmp_path / "state",
            )
            try:
                yield Flow(sandbox, config, db, f"http://{host}:{port}", reloads, session)
            finally:
                await runner.cleanup()


@pytest_asyncio.fixture
async def flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Flow]:
    monkeypatch.setenv("FLXD_SECRET_KEY", SECRET_KEY)
    async for value in start_flow(tmp_path, OAuthAppConfig()):
        yield value


@pytest.mark.asyncio
async def test_approval_stores_an_encrypted_token_that_the_connection_uses(flow: Flow) -> None:
    callback = await flow.approve()
    assert callback.startswith(flow.callback_base + oauth.CALLBACK_PATH + "?code=")
    status, page = await flow.call(callback)
    assert status == 200 and "Connected" in page
    assert flow.reloads == [1]
    async with flow.db.transaction() as tx:
        [row] = await tx.fetch("SELECT ciphertext FROM credentials WHERE connection = 'shop'")
        health = await HealthBook(tx, SystemClock().now()).health()
    stored = Vault(SECRET_KEY).open(row["ciphertext"])
    assert stored["access_token"] not in row["ciphertext"]
    assert set(stored["scope"].split()) == set(FLXD_SCOPES)
    assert health["shop"][0] is ConnectionHealth.ACTIVE

    # The connection now works with the token it got, with no secret in the config.
    conn = flow.config.connections["shop"]
    channel_type = HOST.channels.get("bigcommerce")
    assert channel_type is not None
    async with open_session() as session:
        key = Vault.from_environ(None)
        runtime = build_runtime(
            conn,
            channel_type,
            session=session,
            clock=SystemClock(),
            state_dir=Path("."),
            db=flow.db,
            vault=key,
        )
        report = await runtime.channel.check(
            CheckContext(
                connection="shop",
                settings=conn.settings,
                operations=(Operation.GET_ORDERS,),
                http=runtime.http,
                clock=SystemClock(),
                log=structlog.get_logger(),
            )
        )
    assert report.ok, report.verdict

    # The daemon's runs use it too (read from the hub, decrypted with the same key).
    [summary] = await Daemon(flow.config, HOST).run_once(Selection("shop", Operation.GET_ORDERS))
    assert summary.outcome is RunOutcome.OK, summary.error

    # The same callback again (a replayed code) changes nothing.
    status, page = await flow.call(callback)
    assert status == 400 and "No approval for store" in page


@pytest.mark.asyncio
async def test_a_denied_approval_and_a_spent_code_are_refused(flow: Flow) -> None:
    callback = await flow.approve()
    status, page = await flow.call(
        f"{flow.callback_base}{oauth.CALLBACK_PATH}?error=access_denied"
        "&error_description=The+merchant+declined"
    )
    assert status == 400 and "The merchant declined" in page
    # Somebody else spends the code first: the exchange fails and nothing is stored.
    code = callback.split("code=")[1].split("&")[0]
    app = OAuthAppConfig()
    async with flow.session.post(
        f"{flow.sandbox.login_base_url}/oauth2/token",
        json={
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": flow.callback_base + oauth.CALLBACK_PATH,
        },
    ) as spent:
        assert spent.status == 200
    status, page = await flow.call(callback)
    assert status == 400 and "BigCommerce refused the code" in page
    assert "The code is invalid or was already used" in page
    async with flow.db.transaction() as tx:
        assert await tx.fetch("SELECT * FROM credentials") == []


@pytest.mark.asyncio
async def test_a_grant_without_the_needed_scopes_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLXD_SECRET_KEY", SECRET_KEY)
    narrow = OAuthAppConfig(scopes=("store_v2_products_read_only",))
    async for flow in start_flow(tmp_path, narrow):
        status, page = await flow.call(await flow.approve())
        assert status == 400
        assert "without scopes the enabled operations need: store_v2_information_read_only" in page
        async with flow.db.transaction() as tx:
            assert await tx.fetch("SELECT * FROM credentials") == []


@pytest.mark.asyncio
async def test_connections_check_reads_the_approved_token_and_names_a_wrong_key(
    flow: Flow, tmp_path: Path
) -> None:
    command = [sys.executable, "-m", "flxd", "--config", str(tmp_path / "flxd.toml")]
    command += ["connections", "check", "shop"]
    env = {**os.environ, "BC_SECRET": OAuthAppConfig().client_secret}

    before = await anyio.run_process(command, env=env, check=False)
    assert before.returncode == 1
    assert b"shop (bigcommerce): connection shop is not approved yet" in before.stdout

    status, _ = await flow.call(await flow.approve())
    assert status == 200
    approved = await anyio.run_process(command, env=env, check=False)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert approved.stdout.startswith(b"shop (bigcommerce): connected\n")

    other_key = {**env, "FLXD_SECRET_KEY": "another-key-of-32-characters-long!!"}
    wrong = await anyio.run_process(command, env=other_key, check=False)
    assert wrong.returncode == 1
    assert wrong.stdout.startswith(
        b"shop (bigcommerce): the stored token cannot be decrypted with this key:"
    )


def test_connections_add_names_every_missing_prerequisite_at_once(tmp_path: Path) -> None:
    config = tmp_path / "flxd.toml"
    config.write_text(f'[daemon]\nstate_dir = "{tmp_path}/state"\n')
    add = ["connections", "add", "shop2", "--channel", "bigcommerce", "--auth", "oauth"]

    fields = flxd(config, *add, env={})
    assert fields.returncode == 2
    assert "  connections.shop2.store_hash: missing required key\n" in fields.stderr
    assert '  connections.shop2.client_id: needed with auth = "oauth"' in fields.stderr

    add += ["--store-hash", "abc123", "--client-id", "app1", "--client-secret-env", "APP_SECRET"]
    unset = {"APP_SECRET": "", "FLXD_SECRET_KEY": ""}
    both = flxd(config, *add, env=unset)
    assert both.returncode == 2
    assert both.stderr.startswith(
        "flxd: shop2: an OAuth approval needs, before it starts:\n"
        "  connections.shop2.client_secret_env: environment variable APP_SECRET is not set or "
        "empty\n"
        "  FLXD_SECRET_KEY: not set\n"
    )
    short = flxd(config, *add, env={"APP_SECRET": "s3cret", "FLXD_SECRET_KEY": "short"})
    assert short.returncode == 2
    assert "  FLXD_SECRET_KEY: the secret key must be at least 16 characters" in short.stderr
    assert "shop2" not in config.read_text()


def test_connections_add_help_lists_the_settings_of_each_channel(tmp_path: Path) -> None:
    shown = flxd(tmp_path / "none.toml", "connections", "add", "--help", env={})
    assert shown.returncode == 0
    text = shown.stdout
    assert "settings of a bigcommerce connection" in text
    for line in (
        "--store-hash TEXT",
        "--auth api_account|oauth",
        "--client-id TEXT",
        "--access-token-env VAR",
        "--client-secret-file PATH",
        "--request-timeout DURATION",
    ):
        assert line in text, line
    assert "required" in text.split("--store-hash TEXT")[1].splitlines()[0]


def flxd(config: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flxd", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


def test_connections_add_appends_a_validated_table_and_prints_the_approval_url(
    tmp_path: Path,
) -> None:
    config = tmp_path / "flxd.toml"
    original = f'[daemon]\nstate_dir = "{tmp_path}/state"\n'
    config.write_text(original)
    env = {"APP_SECRET": "s3cret-app-secret", "FLXD_SECRET_KEY": SECRET_KEY}
    add = ["connections", "add", "shop2", "--channel", "bigcommerce", "--store-hash"]

    bad = flxd(config, *add, "Not A Hash", "--auth", "oauth", env=env)
    assert bad.returncode == 2
    assert "connections.shop2.store_hash: 'Not A Hash' is not a store hash" in bad.stderr
    assert config.read_text() == original  # nothing written

    no_key = flxd(
        config,
        *add,
        "abc123",
        "--auth",
        "oauth",
        "--client-id",
        "app1",
        "--client-secret-env",
        "APP_SECRET",
        env={"APP_SECRET": "x" * 12},
    )
    assert no_key.returncode == 2 and "FLXD_SECRET_KEY" in no_key.stderr

    good = flxd(
        config,
        *add,
        "abc123",
        "--auth",
        "oauth",
        "--client-id",
        "app1",
        "--client-secret-env",
        "APP_SECRET",
        env=env,
    )
    assert good.returncode == 0, good.stderr
    assert "added [connections.shop2]" in good.stdout
    url = next(line.strip() for line in good.stdout.splitlines() if "oauth2/authorize" in line)
    assert url.startswith("https://login.bigcommerce.com/oauth2/authorize?client_id=app1&")
    assert "context=stores%2Fabc123" in url and "state=" in url
    assert 'store_hash = "abc123"\nauth = "oauth"\nclient_id = "app1"' in config.read_text()
    assert "s3cret" not in config.read_text() + good.stdout + good.stderr
    # Again for the existing connection: a new approval, nothing appended.
    again = flxd(config, "connections", "add", "shop2", env=env)
    assert again.returncode == 0 and "waiting for approval" in again.stdout
    assert config.read_text().count("[connections.shop2]") == 1
