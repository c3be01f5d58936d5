"""Pagination the way WooCommerce serves it: X-WP-Total, X-WP-TotalPages, Link prev/next, and
WordPress's bounds on per_page and page."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from woo_env import STORE, Env

pytestmark = pytest.mark.asyncio


def links(header: str | None) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header or "")}


async def test_headers_and_links_walk_every_page(https: Env) -> None:
    seen: list[int] = []
    page, pages = 1, None
    while True:
        reply = await https.client.get("/wc/v3/products", per_page="5", page=str(page))
        assert reply.status == 200
        assert reply.headers["X-WP-Total"] == "12"
        pages = int(reply.headers["X-WP-TotalPages"])
        seen += [p["id"] for p in reply.data]
        found = links(reply.headers.get("Link"))
        assert ("prev" in found) == (page > 1)
        if page == pages:
            assert "next" not in found
            break
        next_query = parse_qs(urlsplit(found["next"]).query)
        assert next_query["page"] == [str(page + 1)] and next_query["per_page"] == ["5"]
        page += 1
    assert pages == 3 and len(seen) == len(set(seen)) == 12
    assert set(seen) == set(https.sandbox.store(STORE).catalog.products)


async def test_a_page_past_the_end_is_empty_with_true_totals(https: Env) -> None:
    reply = await https.client.get("/wc/v3/products", per_page="10", page="9")
    assert reply.status == 200 and reply.data == []
    assert (reply.headers["X-WP-Total"], reply.headers["X-WP-TotalPages"]) == ("12", "2")
    assert parse_qs(urlsplit(links(reply.headers["Link"])["prev"]).query)["page"] == ["2"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"per_page": "0"}, "per_page must be between 1 (inclusive) and 100 (inclusive)"),
        ({"per_page": "101"}, "per_page must be between 1 (inclusive) and 100 (inclusive)"),
        ({"per_page": "ten"}, "per_page is not of type integer."),
        ({"page": "0"}, "page must be greater than or equal to 1"),
    ],
)
async def test_out_of_range_paging_is_refused(
    https: Env, params: dict[str, str], message: str
) -> None:
    reply = await https.client.get("/wc/v3/orders", **params)
    assert reply.status == 400
    assert reply.code == "rest_invalid_param"
    name = next(iter(params))
    assert reply.data["data"]["params"] == {name: message}
    assert reply.data["message"] == f"Invalid parameter(s): {name}"


async def test_offset_skips_items(https: Env) -> None:
    everything = await https.client.get(
        "/wc/v3/products", per_page="100", orderby="id", order="asc"
    )
    skipped = await https.client.get(
        "/wc/v3/products", per_page="3", offset="4", orderby="id", order="asc"
    )
    assert [p["id"] for p in skipped.data] == [p["id"] for p in everything.data][4:7]


async def test_link_urls_repeat_the_query_credentials_included(https: Env) -> None:
    reply = await https.client.with_(auth="query").get("/wc/v3/products", per_page="5")
    next_query = parse_qs(urlsplit(links(reply.headers["Link"])["next"]).query)
    key = https.sandbox.default_key(STORE)
    assert next_query["consumer_key"] == [key.consumer_key]
    assert next_query["consumer_secret"] == [key.consumer_secret]


async def test_link_urls_lose_a_plus_sign(https: Env) -> None:
    # WooCommerce inserts the decoded values unencoded, then decodes them again: a "+00:00"
    # offset comes back as " 00:00", which WordPress then refuses as a date.
    reply = await https.client.get(
        "/wc/v3/products", per_page="2", modified_after="2020-01-01T00:00:00+00:00"
    )
    assert reply.status == 200
    followed = links(reply.headers["Link"])["next"]
    assert parse_qs(urlsplit(followed).query)["modified_after"] == ["2020-01-01T00:00:00 00:00"]
    async with https.session.get(followed, headers={"Authorization": _basic(https)}) as response:
        assert response.status == 400
        assert (await response.json())["data"]["params"] == {"modified_after": "Invalid date."}


def _basic(env: Env) -> str:
    key = env.sandbox.default_key(STORE)
    return (
        "Basic " + base64.b64encode(f"{key.consumer_key}:{key.consumer_secret}".encode()).decode()
    )
