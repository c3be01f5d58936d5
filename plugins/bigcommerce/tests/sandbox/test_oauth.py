"""The login service: authorize, redirect with code/scope/context, single-use code exchange."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flxd_bigcommerce.sandbox import FLXD_SCOPES, OAuthAppConfig, SandboxConfig
from sandbox_env import Env, open_sandbox

pytestmark = pytest.mark.asyncio

CALLBACK = "http://127.0.0.1:9/flxd/oauth/callback"


async def authorize(env: Env, **extra: str) -> dict[str, str]:
    app = env.sandbox.config.oauth
    params = {
        "client_id": app.client_id,
        "redirect_uri": CALLBACK,
        "context": f"stores/{env.store}",
        "state": "xyz",
        **extra,
    }
    async with env.session.get(
        f"{env.sandbox.login_base_url}/oauth2/authorize", params=params, allow_redirects=False
    ) as response:
        assert response.status == 302, await response.text()
        location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    return {k: v[0] for k, v in parse_qs(location.query).items()}


async def exchange(
    env: Env, fields: dict[str, str], *, form: bool = False
) -> tuple[int, dict[str, str]]:
    url = f"{env.sandbox.login_base_url}/oauth2/token"
    request = env.session.post(url, data=fields) if form else env.session.post(url, json=fields)
    async with request as response:
        return response.status, await response.json()


def token_request(env: Env, callback: dict[str, str], **override: str) -> dict[str, str]:
    app = env.sandbox.config.oauth
    return {
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "code": callback["code"],
        "context": callback["context"],
        "scope": callback["scope"],
        "grant_type": "authorization_code",
        "redirect_uri": CALLBACK,
        **override,
    }


async def test_full_flow_and_the_code_is_single_use(env: Env) -> None:
    callback = await authorize(env)
    assert callback["context"] == f"stores/{env.store}"
    assert callback["scope"].split(" ") == list(FLXD_SCOPES)
    assert callback["state"] == "xyz" and callback["account_uuid"]
    status, body = await exchange(env, token_request(env, callback))
    assert status == 200
    assert body["context"] == f"stores/{env.store}"
    assert body["scope"] == callback["scope"]
    assert {"id", "username", "email"} <= set(body["user"])
    api = env.client.with_token(body["access_token"])
    assert (await api.get("/v2/orders")).status == 204
    again_status, again = await exchange(env, token_request(env, callback))
    assert (again_status, again["error"]) == (400, "invalid_grant")


async def test_form_encoded_exchange(env: Env) -> None:
    callback = await authorize(env)
    status, body = await exchange(env, token_request(env, callback), form=True)
    assert status == 200 and body["access_token"]


async def test_redirect_uri_secret_and_expiry_are_checked(env: Env) -> None:
    wrong_uri = await authorize(env)
    status, body = await exchange(
        env, token_request(env, wrong_uri, redirect_uri="http://127.0.0.1:9/elsewhere")
    )
    assert (status, body["error"]) == (400, "invalid_grant")
    secret = await authorize(env)
    status, body = await exchange(env, token_request(env, secret, client_secret="guess"))
    assert (status, body["error"]) == (401, "invalid_client")
    late = await authorize(env)
    await env.clock.advance(301)
    status, body = await exchange(env, token_request(env, late))
    assert (status, body["error"]) == (400, "invalid_grant")


async def test_registered_callback_is_enforced_and_unknown_clients_refused() -> None:
    app = OAuthAppConfig(
        client_id="cid",
        client_secret="sec",
        redirect_uri=CALLBACK,
        scopes=("store_v2_orders_read_only",),
    )
    async with open_sandbox(SandboxConfig(oauth=app)) as env:
        callback = await authorize(env)
        assert callback["scope"] == "store_v2_orders_read_only"
        url = f"{env.sandbox.login_base_url}/oauth2/authorize"
        params = {"client_id": "cid", "redirect_uri": "http://127.0.0.1:9/other"}
        async with env.session.get(url, params=params, allow_redirects=False) as response:
            assert response.status == 400
        params = {"client_id": "nobody", "redirect_uri": CALLBACK}
        async with env.session.get(url, params=params, allow_redirects=False) as response:
            assert response.status == 400
        status, body = await exchange(env, token_request(env, callback))
        token = body["access_token"]
        assert status == 200
        reader = env.client.with_token(token)
        assert (await reader.get("/v2/orders")).status == 204
        assert (await reader.get("/v3/catalog/products")).status == 403


async def test_token_endpoint_rejects_a_non_json_body(env: Env) -> None:
    url = f"{env.sandbox.login_base_url}/oauth2/token"
    async with env.session.post(
        url, data=b"[1]", headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 400
