"""Both of WooCommerce's auth schemes, and every refusal a client must tell apart."""

from __future__ import annotations

import base64

import pytest
from flxd_woocommerce.sandbox import SandboxConfig
from woo_client import oauth_params
from woo_env import STORE, Env, open_sandbox

pytestmark = pytest.mark.asyncio


async def test_basic_auth_over_https_header_and_query(https: Env) -> None:
    header = await https.client.get("/wc/v3/products")
    query = await https.client.with_(auth="query").get("/wc/v3/products")
    assert header.status == query.status == 200
    assert header.data == query.data and len(header.data) == 10
    entries = https.sandbox.requests(STORE).entries
    assert [e.auth for e in entries] == ["basic", "basic-query"]
    assert entries[1].query["consumer_secret"] == "[redacted]"


async def test_wrong_secret_over_https_is_an_authentication_error(https: Env) -> None:
    reply = await https.client.with_(secret="cs_wrong").get("/wc/v3/products")
    assert reply.status == 401
    assert reply.data == {
        "code": "woocommerce_rest_authentication_error",
        "message": "Consumer secret is invalid.",
        "data": {"status": 401},
    }


async def test_unknown_key_over_https_is_just_unauthenticated(https: Env) -> None:
    reply = await https.client.with_(key="ck_nobody", secret="cs_nobody").get("/wc/v3/orders")
    assert (reply.status, reply.code) == (401, "woocommerce_rest_cannot_view")
    assert reply.data["message"] == "Sorry, you cannot list resources."


async def test_basic_credentials_over_plain_http_are_ignored(plain: Env) -> None:
    for auth in ("basic", "query"):
        reply = await plain.client.with_(auth=auth).post("/wc/v3/products", {"name": "Mug"})
        assert (reply.status, reply.code) == (401, "woocommerce_rest_cannot_create")
    assert plain.sandbox.store(STORE).catalog.products == {}


@pytest.mark.parametrize("algorithm", ["HMAC-SHA1", "HMAC-SHA256"])
async def test_oauth_over_http_with_either_hash(plain: Env, algorithm: str) -> None:
    client = plain.oauth()
    key = plain.sandbox.default_key(STORE)
    url = f"{plain.sandbox.site_url(STORE)}/wp-json/wc/v3/products"
    params = oauth_params(
        "GET",
        url,
        {"per_page": "5"},
        key.consumer_key,
        key.consumer_secret,
        timestamp=client.now(),
        nonce="n-" + algorithm,
        algorithm=algorithm,
    )
    async with plain.session.get(url, params={"per_page": "5", **params}) as response:
        assert response.status == 200, await response.text()
    assert plain.sandbox.requests(STORE).entries[-1].auth == "oauth1"


async def test_oauth_in_the_authorization_header(plain: Env) -> None:
    key = plain.sandbox.default_key(STORE)
    url = f"{plain.sandbox.site_url(STORE)}/wp-json/wc/v3/orders"
    now = int(plain.clock.now().timestamp())
    params = oauth_params(
        "GET", url, {}, key.consumer_key, key.consumer_secret, timestamp=now, nonce="h1"
    )
    header = "OAuth " + ", ".join(f'{k}="{v}"' for k, v in params.items())
    async with plain.session.get(url, headers={"Authorization": header}) as response:
        assert response.status == 200


async def test_oauth_refusals(plain: Env) -> None:
    client = plain.oauth()
    first = await client.request("GET", "/wc/v3/products", nonce="same")
    replay = await client.request("GET", "/wc/v3/products", nonce="same")
    stale = await client.request("GET", "/wc/v3/products", timestamp=client.now() - 901)
    future = await client.request("GET", "/wc/v3/products", timestamp=client.now() + 901)
    wrong = await client.with_(secret="cs_other").get("/wc/v3/products")
    unknown = await client.with_(key="ck_unknown").get("/wc/v3/products")
    assert first.status == 200
    messages = [r.data["message"] for r in (replay, stale, future, wrong, unknown)]
    assert messages == [
        "Invalid nonce - nonce has already been used.",
        "Invalid timestamp.",
        "Invalid timestamp.",
        "Invalid signature - provided signature does not match.",
        "Consumer key is invalid.",
    ]
    assert {r.status for r in (replay, stale, future, wrong, unknown)} == {401}


async def test_old_nonces_are_forgotten_only_by_a_later_success(plain: Env) -> None:
    # WooCommerce checks the nonce before it purges expired ones, and purges only when a
    # request succeeds: past the window a nonce is still refused until another one gets in.
    client = plain.oauth()
    assert (await client.request("GET", "/wc/v3/products", nonce="again")).status == 200
    await plain.clock.advance(16 * 60)
    assert (await client.request("GET", "/wc/v3/products", nonce="again")).status == 401
    assert (await client.request("GET", "/wc/v3/products", nonce="fresh")).status == 200
    assert (await client.request("GET", "/wc/v3/products", nonce="again")).status == 200


async def test_oauth_missing_parameters_and_unknown_method(plain: Env) -> None:
    url = f"{plain.sandbox.site_url(STORE)}/wp-json/wc/v3/products"
    async with plain.session.get(url, params={"oauth_consumer_key": "ck_x"}) as response:
        body = await response.json()
    assert response.status == 401
    assert body["code"] == "woocommerce_rest_authentication_missing_parameter"
    assert body["message"].startswith("Missing OAuth parameters oauth_timestamp")
    key = plain.sandbox.default_key(STORE)
    params = oauth_params(
        "GET",
        url,
        {},
        key.consumer_key,
        key.consumer_secret,
        timestamp=plain.oauth().now(),
        nonce="m",
    )
    params["oauth_signature_method"] = "PLAINTEXT"
    async with plain.session.get(url, params=params) as response:
        body = await response.json()
    assert body["message"] == "Invalid signature - signature method is invalid."


async def test_oauth_signs_the_home_url_for_rest_route_requests(plain: Env) -> None:
    # An OAuth library signs the URL it requests, "{home}/": WooCommerce signs
    # get_home_url() + path, which for "/?rest_route=" is the home URL without the slash.
    reply = await plain.oauth(rest_route=True).get("/wc/v3/products", per_page="2")
    assert reply.data["message"] == "Invalid signature - provided signature does not match."
    # Signed that way, the request goes through.
    key = plain.sandbox.default_key(STORE)
    home = plain.sandbox.site_url(STORE)
    query = {"rest_route": "/wc/v3/products", "per_page": "2"}
    params = oauth_params(
        "GET",
        home,
        query,
        key.consumer_key,
        key.consumer_secret,
        timestamp=plain.oauth().now(),
        nonce="rr",
    )
    async with plain.session.get(home + "/", params={**query, **params}) as response:
        assert response.status == 200, await response.text()


async def test_key_permissions(https: Env) -> None:
    sandbox = https.sandbox
    read = sandbox.create_key(STORE, "read")
    write = sandbox.create_key(STORE, "write")
    reader = https.client.with_(key=read.consumer_key, secret=read.consumer_secret)
    writer = https.client.with_(key=write.consumer_key, secret=write.consumer_secret)
    assert (await reader.get("/wc/v3/products")).status == 200
    refused = await reader.put("/wc/v3/products/10", {"regular_price": "1.00"})
    assert refused.status == 401
    assert refused.data == {
        "code": "woocommerce_rest_authentication_error",
        "message": "The API key provided does not have write permissions.",
        "data": {"status": 401},
    }
    # Refused before routing: even a route that does not exist answers this.
    assert (await reader.post("/wc/v3/nothing", {})).code == "woocommerce_rest_authentication_error"
    cannot_read = await writer.get("/wc/v3/products")
    assert cannot_read.data["message"] == "The API key provided does not have read permissions."
    assert (await writer.put("/wc/v3/products/10", {"name": "Renamed"})).status == 200


async def test_a_revoked_key_stops_working(https: Env) -> None:
    key = https.sandbox.default_key(STORE)
    https.sandbox.revoke_key(STORE, key.key_id)
    reply = await https.client.get("/wc/v3/products")
    assert (reply.status, reply.code) == (401, "woocommerce_rest_cannot_view")


async def test_the_indexes_need_no_key(plain: Env) -> None:
    anonymous = plain.client.with_(auth="none")
    assert (await anonymous.get("/")).status == 200
    assert (await anonymous.get("/wc/v3")).data["namespace"] == "wc/v3"


async def test_basic_header_with_garbage_is_unauthenticated() -> None:
    async with open_sandbox(SandboxConfig(tls=True)) as env:
        url = f"{env.sandbox.site_url(STORE)}/wp-json/wc/v3/products"
        garbage = "Basic " + base64.b64encode(b"no-colon").decode()
        async with env.session.get(url, headers={"Authorization": garbage}) as response:
            assert response.status == 401
            assert (await response.json())["code"] == "woocommerce_rest_cannot_view"
