"""The app approval flow (/wc-auth/v1/authorize): keys POSTed to an HTTPS callback, the
redirect back, and what WooCommerce refuses about the request and the callback."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from woo_env import STORE, Env
from woo_receiver import Receiver, receiver

pytestmark = pytest.mark.asyncio

RETURN = "https://app.example/return"


def _params(callback: str, **changes: str) -> dict[str, str]:
    params = {
        "app_name": "flxd",
        "scope": "read_write",
        "user_id": "conn-7",
        "return_url": RETURN,
        "callback_url": callback,
    }
    params.update(changes)
    return params


async def _authorize(
    env: Env, params: dict[str, str], *, pretty: bool = True
) -> tuple[int, str, str]:
    site = env.sandbox.site_url(STORE)
    url = f"{site}/wc-auth/v1/authorize" if pretty else f"{site}/"
    if not pretty:
        params = {"wc-auth-version": "1", "wc-auth-route": "authorize", **params}
    async with env.session.get(url, params=params, allow_redirects=False) as response:
        return response.status, response.headers.get("Location", ""), await response.text()


async def _trusted(env: Env, sink: Receiver) -> None:
    assert sink.certificate is not None
    env.sandbox.outbound.trust(sink.certificate.certificate_pem.decode())


async def test_approved_keys_reach_the_callback_and_work(plain: Env) -> None:
    async with receiver(tls=True) as sink:
        await _trusted(plain, sink)
        status, location, _ = await _authorize(plain, _params(f"{sink.url}/wc-callback"))
        assert status == 302
        assert location == f"{RETURN}?success=1&user_id=conn-7"
        posted = sink.received[0]
        assert posted.path == "/wc-callback"
        assert posted.headers["Content-Type"] == "application/json;charset=UTF-8"
        keys = json.loads(posted.body)
        assert set(keys) == {
            "key_id",
            "user_id",
            "consumer_key",
            "consumer_secret",
            "key_permissions",
        }
        assert keys["user_id"] == "conn-7" and keys["key_permissions"] == "read_write"
        assert keys["consumer_key"].startswith("ck_") and len(keys["consumer_key"]) == 43
    client = plain.oauth(key=keys["consumer_key"], secret=keys["consumer_secret"])
    assert (await client.get("/wc/v3/products")).status == 200
    approval = plain.sandbox.store(STORE).approvals[-1]
    assert approval.approved and approval.key_id == keys["key_id"]


async def test_a_callback_certificate_the_store_does_not_trust_fails_the_flow(plain: Env) -> None:
    async with receiver(tls=True) as sink:
        status, _, page = await _authorize(plain, _params(sink.url))
    assert status == 401 and "Access denied" in page and "Error:" in page
    assert len(plain.sandbox.store(STORE).keys.keys) == 1  # the new key was deleted again


async def test_the_callback_must_answer_exactly_200(plain: Env) -> None:
    async with receiver(tls=True) as sink:
        await _trusted(plain, sink)
        sink.status = 201
        status, _, page = await _authorize(plain, _params(sink.url))
    assert status == 401
    assert "unable to send the consumer data" in page
    assert len(plain.sandbox.store(STORE).keys.keys) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"app_name": ""}, "Missing parameter app_name"),
        ({"scope": "admin"}, "Invalid scope admin"),
        ({"callback_url": "http://app.example/cb"}, "The callback_url needs to be over SSL"),
        ({"return_url": "https://"}, "is not a valid URL"),
    ],
)
async def test_what_woocommerce_refuses(plain: Env, changes: dict[str, str], message: str) -> None:
    status, location, page = await _authorize(plain, _params("https://app.example/cb", **changes))
    assert status == 401 and not location
    assert message in page


async def test_a_callback_without_scheme_is_read_as_https(plain: Env) -> None:
    async with receiver(tls=True) as sink:
        await _trusted(plain, sink)
        bare = sink.url.removeprefix("https://")
        status, _, _ = await _authorize(plain, _params(bare))
    assert status == 302 and sink.received


async def test_a_merchant_who_denies(plain: Env) -> None:
    plain.sandbox.configure_store(STORE, approval="deny")
    status, location, _ = await _authorize(plain, _params("https://app.example/cb"))
    assert status == 302
    assert parse_qs(urlsplit(location).query) == {"success": ["0"], "user_id": ["conn-7"]}


async def test_without_pretty_permalinks_only_the_query_form_works(plain: Env) -> None:
    plain.sandbox.configure_store(STORE, permalinks=False, approval="deny")
    status, _, _ = await _authorize(plain, _params("https://app.example/cb"))
    assert status == 404
    status, location, _ = await _authorize(plain, _params("https://app.example/cb"), pretty=False)
    assert status == 302 and location.startswith(RETURN)
