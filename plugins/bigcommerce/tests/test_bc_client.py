"""The BigCommerce client and response policy on canned answers (aioresponses)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aioresponses import aioresponses
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.errors import (
    BadRequest,
    Conflict,
    Invalid,
    MissingScope,
    NotFound,
    ServerError,
    TokenRejected,
    TooLarge,
)
from flxd_bigcommerce.parse import format_v2_date, format_v3_date, money, parse_date, whole
from flxd_bigcommerce.policy import BigCommercePolicy

from flxd.plugin import PermanentError, RateLimited, RecordError
from flxd.testing import FakeClock, HttpClient, Limiter, RetryPolicy

BASE = "https://api.bigcommerce.com/stores/abc123"
PRODUCTS = re.compile(rf"^{re.escape(BASE)}/v3/catalog/products\?.*$")
ORDERS = re.compile(rf"^{re.escape(BASE)}/v2/orders\?.*$")
RATE = {
    "X-Rate-Limit-Requests-Left": "35",
    "X-Rate-Limit-Requests-Quota": "150",
    "X-Rate-Limit-Time-Reset-Ms": "15000",
    "X-Rate-Limit-Time-Window-Ms": "30000",
}


@pytest_asyncio.fixture
async def client(flxd_clock: FakeClock) -> AsyncIterator[BigCommerceClient]:
    async def token() -> str:
        return "t0ken"

    async with aiohttp.ClientSession() as session:
        http = HttpClient(
            session=session,
            limiter=Limiter(flxd_clock),
            policy=BigCommercePolicy(),
            clock=flxd_clock,
            retry=RetryPolicy(attempts=1),
            rng=random.Random(0),
        )
        yield BigCommerceClient(http, store_hash="abc123", token=token)


def page(items: list[Any], current: int, total_pages: int) -> dict[str, Any]:
    return {
        "data": items,
        "meta": {
            "pagination": {
                "total": 5,
                "count": len(items),
                "per_page": 2,
                "current_page": current,
                "total_pages": total_pages,
                "links": {"current": f"?page={current}&limit=2"},
            }
        },
    }


@pytest.mark.asyncio
async def test_v3_pages_follow_meta_pagination_one_page_at_a_time(
    client: BigCommerceClient,
) -> None:
    with aioresponses() as mocked:
        for n, items in enumerate([[{"id": 1}, {"id": 2}], [{"id": 3}, {"id": 4}], [{"id": 5}]], 1):
            mocked.get(PRODUCTS, payload=page(items, n, 3), headers=RATE)
        pages = [
            p async for p in client.v3_pages("/catalog/products", {"include": "variants"}, limit=2)
        ]
        sent = [call for key, calls in mocked.requests.items() for call in calls]
        urls = [str(key[1]) for key in mocked.requests]
    assert [[i["id"] for i in p.items] for p in pages] == [[1, 2], [3, 4], [5]]
    assert pages[0].pagination is not None and pages[0].pagination.total == 5
    assert all("include=variants" in u and "limit=2" in u for u in urls)
    assert [c.kwargs["headers"]["X-Auth-Token"] for c in sent] == ["t0ken"] * 3
    stats = client._http.limiter.stats  # the rate headers reached the limiter
    assert (stats.quota, stats.left) == (150, 33)  # 35 reported, 2 sent since by our count


@pytest.mark.asyncio
async def test_v2_pages_end_on_204_or_an_empty_page_only(client: BigCommerceClient) -> None:
    with aioresponses() as mocked:
        mocked.get(ORDERS, payload=[{"id": 1}, {"id": 2}])
        mocked.get(ORDERS, payload=[{"id": 3}, {"id": 4}])
        mocked.get(ORDERS, status=204, body=b"")
        pages = [p async for p in client.v2_pages("/orders", {"sort": "id:asc"}, limit=2)]
        assert pages == [[{"id": 1}, {"id": 2}], [{"id": 3}, {"id": 4}]]
        # A short page is not the end (a store may serve fewer than asked): an empty one is.
        mocked.get(ORDERS, payload=[{"id": 9}])
        mocked.get(ORDERS, payload=[{"id": 10}])
        mocked.get(ORDERS, payload=[])
        pages = [p async for p in client.v2_pages("/orders", limit=2)]
        assert pages == [[{"id": 9}], [{"id": 10}]]
        mocked.get(ORDERS, status=204, body=b"")
        assert [p async for p in client.v2_pages("/orders", limit=2)] == []


V3_ERROR = {
    "status": 422,
    "title": "JSON data is missing or invalid",
    "type": "/api-docs/getting-started/api-status-codes",
    "errors": {"custom_fields.0.value": "must be at most 250 characters"},
}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "body", "kind", "message"),
    [
        (
            400,
            [{"status": 400, "message": "The field 'items' is invalid."}],
            BadRequest,
            "400: The field 'items' is invalid.",
        ),
        (401, {"status": 401, "title": "Unauthorized"}, TokenRejected, "401: Unauthorized"),
        (
            403,
            {"status": 403, "title": "You don't have a required scope"},
            MissingScope,
            "403: You don't have a required scope",
        ),
        (
            404,
            [{"status": 404, "message": "The requested resource was not found."}],
            NotFound,
            "404: The requested resource was not found.",
        ),
        (
            409,
            {"status": 409, "title": "The product name is a duplicate", "errors": {}},
            Conflict,
            "409: The product name is a duplicate",
        ),
        (
            413,
            {
                "status": 413,
                "title": "The request payload is too large. The maximum items "
                "allowed in the array is 10.",
                "errors": {},
            },
            TooLarge,
            "413: The request payload is too large",
        ),
        (
            422,
            V3_ERROR,
            Invalid,
            "422: JSON data is missing or invalid (custom_fields.0.value: must be at most 250",
        ),
        (
            422,
            {"batch_errors": [{"status": 422, "title": "Invalid", "errors": {"price": "bad"}}]},
            Invalid,
            "([0]: price: bad)",
        ),
        (
            503,
            {"status": 503, "title": "Store is down for maintenance"},
            ServerError,
            "503: Store is down for maintenance",
        ),
        (
            507,
            {"status": 507, "title": "Product limit reached"},
            PermanentError,
            "507: Product limit reached",
        ),
    ],
)
async def test_errors_map_to_what_happens_next(
    client: BigCommerceClient, status: int, body: Any, kind: type[Exception], message: str
) -> None:
    with aioresponses() as mocked:
        mocked.get(PRODUCTS, status=status, body=json.dumps(body), content_type="application/json")
        with pytest.raises(kind) as caught:
            await client.get("v3", "/catalog/products", {"limit": 1})
    assert message in str(caught.value)
    assert "GET /stores/abc123/v3/catalog/products" in str(caught.value)


@pytest.mark.asyncio
async def test_invalid_fields_are_kept(client: BigCommerceClient) -> None:
    with aioresponses() as mocked:
        mocked.get(PRODUCTS, status=422, payload=V3_ERROR)
        with pytest.raises(Invalid) as caught:
            await client.get("v3", "/catalog/products", {"limit": 1})
    assert caught.value.fields == {"custom_fields.0.value": "must be at most 250 characters"}


def test_429_wait_comes_from_the_headers() -> None:
    policy = BigCommercePolicy()

    def response(headers: dict[str, str]) -> Any:
        from multidict import CIMultiDict, CIMultiDictProxy

        from flxd.plugin import Response

        return Response(
            "GET", f"{BASE}/v2/orders", 429, CIMultiDictProxy(CIMultiDict(headers)), b""
        )

    limited = policy.classify(response({**RATE, "X-Rate-Limit-Requests-Left": "0"}))
    assert isinstance(limited, RateLimited) and limited.retry_after == 15.0
    limited = policy.classify(
        response({"x-retry-after": "20", "x-rate-limit-time-reset-ms": "900"})
    )
    assert isinstance(limited, RateLimited) and limited.retry_after == 20.0
    bare = policy.classify(response({}))
    assert isinstance(bare, RateLimited) and bare.retry_after is None


def test_quota_headers_are_case_insensitive_and_garbage_is_ignored() -> None:
    from multidict import CIMultiDict, CIMultiDictProxy

    policy = BigCommercePolicy()
    lower = CIMultiDictProxy(CIMultiDict({k.lower(): v for k, v in RATE.items()}))
    report = policy.quota(lower)
    assert report is not None
    assert (report.left, report.quota, report.reset_after, report.window) == (35, 150, 15.0, 30.0)
    assert policy.quota(CIMultiDictProxy(CIMultiDict({"X-Rate-Limit-Requests-Left": "x"}))) is None


def test_dates_parse_into_aware_utc() -> None:
    expected = datetime(2012, 11, 20, 5, 0, tzinfo=UTC)
    assert parse_date("Tue, 20 Nov 2012 00:00:00 -0500", "date_created") == expected
    assert parse_date("2012-11-20T05:00:00+00:00", "date_modified") == expected
    assert parse_date("2012-11-20T06:00:00+01:00", "d") == expected
    assert parse_date("2012-11-20T05:00:00Z", "d") == expected
    for bad in ("", "yesterday", "2012-11-20T05:00:00", None, 1353387600, "Tue, 99 Nov 2012"):
        with pytest.raises(RecordError):
            parse_date(bad, "date_created")
    assert format_v3_date(expected) == "2012-11-20T05:00:00+00:00"
    assert format_v2_date(expected) == "Tue, 20 Nov 2012 05:00:00 +0000"


def test_money_is_exact() -> None:
    assert money("225.0000", "total_inc_tax") == Decimal("225.0000")
    assert money(19.9, "price") == Decimal("19.9")
    assert money(None, "sale_price", required=False) is None
    for bad in ("NaN", "Infinity", "ten", True, [1]):
        with pytest.raises(RecordError):
            money(bad, "price")
    assert whole("7", "quantity") == 7 and whole(3.0, "id") == 3
    for bad in (2.5, True, "x", None):
        with pytest.raises(RecordError):
            whole(bad, "quantity")
    with pytest.raises(RecordError, match="quantity: -1 is below 0"):
        whole(-1, "quantity", minimum=0)
