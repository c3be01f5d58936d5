"""Unit tests of the WooCommerce channel's pieces: signing, what answers mean, settings, and
mapping products, orders and listings."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flxd_woocommerce.auth import basic_header, oauth1_signer
from flxd_woocommerce.config import GetOrdersSettings, PublishListingsSettings
from flxd_woocommerce.errors import BadRequest, KeyRejected, NoApi, NotFound, ServerError
from flxd_woocommerce.listings.payload import MAX_OPTION_NAME, product_draft
from flxd_woocommerce.listings.products import parse_product
from flxd_woocommerce.orders.mapping import map_order
from flxd_woocommerce.policy import WooCommercePolicy
from flxd_woocommerce.sandbox import oauth1
from flxd_woocommerce.statuses import parse_status
from multidict import CIMultiDict, CIMultiDictProxy
from pydantic import ValidationError
from wc_env import HOST

from flxd.plugin import (
    Listing,
    ListingStatus,
    Presence,
    RateLimited,
    RecordError,
    Response,
    TransientError,
    Variant,
)
from flxd.testing import ConfigError, parse_config

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


# ---- signing ----------------------------------------------------------------------------


def test_an_oauth1_signature_is_what_woocommerce_computes() -> None:
    url = "http://shop.example/wp/wp-json/wc/v3/products"
    sign = oauth1_signer("ck_1", "cs_secret", lambda: NOW, nonce=lambda: "n0nce")
    signature = sign("GET", url, {"per_page": 100, "status": "a b+c", "_fields": "id,sku"})
    params: dict[str, Any] = {"per_page": "100", "status": "a b+c", "_fields": "id,sku"}
    params |= {k: v for k, v in signature.params.items() if k != "oauth_signature"}
    # The store's own verifier (as WooCommerce's class-wc-rest-authentication computes it).
    base = oauth1.base_string("GET", url, params)
    assert oauth1.signature(base, "cs_secret", "HMAC-SHA256") == signature.params["oauth_signature"]
    assert signature.params["oauth_timestamp"] == str(int(NOW.timestamp()))
    assert signature.headers == {}


def test_every_attempt_gets_a_fresh_nonce() -> None:
    sign = oauth1_signer("ck_1", "cs_secret", lambda: NOW)
    first, second = sign("GET", "http://x/wp-json/", {}), sign("GET", "http://x/wp-json/", {})
    assert first.params["oauth_nonce"] != second.params["oauth_nonce"]


def test_basic_is_the_key_and_the_secret() -> None:
    assert basic_header("ck", "cs") == {"Authorization": "Basic Y2s6Y3M="}


# ---- what answers mean ------------------------------------------------------------------


def answer(status: int, body: bytes = b"", **headers: str) -> Response:
    given = CIMultiDictProxy(CIMultiDict(headers))
    return Response("GET", "https://shop.example/wp-json/wc/v3/products", status, given, body)


def wp_error(code: str, status: int) -> bytes:
    return (
        f'{{"code": "{code}", "message": "It said so.", "data": {{"status": {status}}}}}'.encode()
    )


JSON = {"Content-Type": "application/json; charset=UTF-8"}


def test_a_busy_host_says_when_to_come_back() -> None:
    policy = WooCommercePolicy()
    throttled = policy.classify(answer(429, b"", **{"Retry-After": "7"}))
    assert isinstance(throttled, RateLimited) and throttled.retry_after == 7
    overloaded = policy.classify(answer(503, b"<html/>", **{"Retry-After": "10"}))
    assert isinstance(overloaded, RateLimited) and overloaded.retry_after == 10
    bare = policy.classify(answer(429))
    assert isinstance(bare, RateLimited) and bare.retry_after is None
    assert isinstance(policy.classify(answer(503, b"<html/>")), ServerError)
    assert isinstance(policy.classify(answer(504)), ServerError)
    assert policy.quota({"X-Anything": "1"}) is None


def test_wordpress_errors_and_host_pages_are_told_apart() -> None:
    policy = WooCommercePolicy()
    rejected = policy.classify(
        answer(401, wp_error("woocommerce_rest_authentication_error", 401), **JSON)
    )
    assert isinstance(rejected, KeyRejected) and rejected.detail == "It said so."
    assert isinstance(
        policy.classify(answer(404, wp_error("rest_no_route", 404), **JSON)), NotFound
    )
    assert isinstance(policy.classify(answer(404, b"<html>Not Found</html>")), NoApi)
    assert isinstance(
        policy.classify(answer(400, wp_error("product_invalid_sku", 400))), BadRequest
    )
    page = policy.classify(
        answer(200, b"<html>Just a moment</html>", **{"Content-Type": "text/html"})
    )
    assert isinstance(page, TransientError) and page.kind == "not_json"
    assert policy.classify(answer(200, b"[]", **JSON)) is None


# ---- settings ---------------------------------------------------------------------------


def connection_problems(tmp_path: Path, table: str) -> set[str]:
    text = f'[connections.shop]\nchannel = "woocommerce"\n{table}\n'
    try:
        parse_config(text, registries=HOST, base_dir=tmp_path, environ={"K": "ck", "S": "cs"})
    except ConfigError as exc:
        return {f"{p.path}: {p.message}" for p in exc.problems}
    return set()


def test_basic_over_plain_http_is_refused(tmp_path: Path) -> None:
    keys = 'consumer_key_env = "K"\nconsumer_secret_env = "S"'
    assert connection_problems(tmp_path, f'url = "https://shop.example"\n{keys}') == set()
    assert connection_problems(tmp_path, f'url = "http://shop.example"\n{keys}') == set()
    [problem] = connection_problems(
        tmp_path, f'url = "http://shop.example"\nauth = "basic"\n{keys}'
    )
    assert "plain HTTP" in problem and "in clear" in problem
    [problem] = connection_problems(tmp_path, keys)
    assert "url: missing" in problem
    [problem] = connection_problems(tmp_path, 'url = "shop.example"\n' + keys)
    assert "is not a site address" in problem
    assert connection_problems(tmp_path, 'url = "https://shop.example"\napproval = true') == set()


def test_statuses_by_slug_or_label() -> None:
    assert parse_status("Wc-On-Hold") == "on-hold"
    assert parse_status("On hold") == "on-hold"
    assert parse_status("awaiting-pickup") == "awaiting-pickup"
    for bad in ("trash", "not a slug!", ""):
        with pytest.raises(ValueError):
            parse_status(bad)
    with pytest.raises(ValidationError, match="acknowledged orders would be read again"):
        GetOrdersSettings(acknowledge="status", acknowledge_status="processing")


# ---- mapping ----------------------------------------------------------------------------


def variable_product(**changes: Any) -> dict[str, Any]:
    return {
        "id": 7,
        "name": "Tee",
        "type": "variable",
        "status": "publish",
        "sku": "TEE",
        "manage_stock": False,
        "date_modified_gmt": "2025-01-15T12:00:00",
        "attributes": [
            {"name": "Size", "variation": True, "options": ["S", "M"]},
            {"name": "Material", "variation": False, "options": ["Cotton", "Linen"]},
        ],
        **changes,
    }


def variation(vid: int, size: str, **changes: Any) -> dict[str, Any]:
    return {
        "id": vid,
        "sku": f"TEE-{size}",
        "regular_price": "19.90",
        "manage_stock": True,
        "stock_quantity": 3,
        "attributes": [{"name": "Size", "option": size}],
        **changes,
    }


def test_a_variable_product_and_where_its_stock_is_kept() -> None:
    product = parse_product(variable_product(), [variation(8, "S"), variation(9, "M")])
    assert [(i.variant_ref, i.price, i.quantity, i.options) for i in product.items] == [
        ("8", Decimal("19.90"), 3, (("Size", "S"),)),
        ("9", Decimal("19.90"), 3, (("Size", "M"),)),
    ]
    assert product.attributes == (("Material", "Cotton, Linen"),)
    kept = parse_product(
        variable_product(manage_stock=True, stock_quantity=10),
        [variation(8, "S", manage_stock="parent"), variation(9, "M", manage_stock=False)],
    )
    assert kept.stock == 10
    assert [(i.quantity, i.stock_ref) for i in kept.items] == [(None, "7"), (None, "7")]


def test_a_malformed_product_is_named() -> None:
    with pytest.raises(RecordError) as caught:
        parse_product(variable_product(), [variation(8, "S", stock_quantity="lots")])
    assert caught.value.record == "product 7 variation 8"
    with pytest.raises(RecordError, match="not a product flxd can sell"):
        parse_product(variable_product(type="external"))
    with pytest.raises(RecordError, match="date_modified_gmt"):
        parse_product(variable_product(date_modified_gmt="2025-01-15T12:00:00+02:00"))


def test_an_order_as_the_hub_keeps_it() -> None:
    raw = {
        "id": 42,
        "status": "on-hold",
        "currency": "EUR",
        "date_created_gmt": "2025-01-15T09:00:00",
        "date_modified_gmt": "2025-01-15T10:00:00",
        "total": "27.50",
        "shipping_total": "5.00",
        "total_tax": "2.50",
        "discount_total": "0.00",
        "billing": {"first_name": "Ana", "last_name": "Silva", "email": "ana@example.com"},
        "shipping": [],
        "line_items": [
            {
                "id": 1,
                "sku": "MUG",
                "name": "Mug",
                "quantity": 2,
                "price": 10,
                "subtotal": "20.00",
                "total": "20.00",
            }
        ],
    }
    order = map_order("shop", raw)
    assert (order.status_code, order.status_name) == ("on-hold", "On hold")
    assert order.modified_at == datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    assert (order.subtotal, order.grand_total) == (Decimal("20.00"), Decimal("27.50"))
    assert order.customer_name == "Ana Silva"
    assert order.addresses == () and order.lines[0].channel_address_id is None
    with pytest.raises(RecordError) as caught:
        map_order("shop", {**raw, "billing": {"email": ["ana@example.com"]}})
    assert caught.value.record == "order 42" and "ana" not in str(caught.value)


def listing(*variants: Variant, key: str = "TEE") -> Listing:
    return Listing(
        id=1,
        key=key,
        name="Tee",
        description=None,
        status=ListingStatus.ACTIVE,
        presence=Presence.LISTED,
        seq=1,
        variants=variants,
    )


def variant(sku: str, options: tuple[tuple[str, str], ...] = (), **changes: Any) -> Variant:
    fields: dict[str, Any] = {
        "id": hash(sku) % 1000,
        "listing_id": 1,
        "sku": sku,
        "upc": None,
        "mpn": None,
        "gtin": None,
        "price": Decimal("9.50"),
        "quantity": 4,
        "options": options,
        "attributes": (),
        "seq": 1,
    }
    return Variant(**(fields | changes))


def test_listings_as_products() -> None:
    settings = PublishListingsSettings()
    simple = product_draft(listing(variant("MUG", upc="036000291452"), key="MUG"), settings)
    assert simple.simple and simple.body["regular_price"] == "9.50"
    assert simple.body["global_unique_id"] == "036000291452"
    both = product_draft(
        listing(variant("TEE-S", (("Size", "S"),)), variant("TEE", (("Size", "M"),))), settings
    )
    assert both.sku is None  # a variant already has the listing's key as its SKU
    assert [body["attributes"] for _, body in both.variations] == [
        [{"name": "Size", "option": "S"}],
        [{"name": "Size", "option": "M"}],
    ]
    long = "Ö" * 200  # each one is six characters in WordPress's slug
    draft = product_draft(listing(variant("A", ((long, "x"),))), settings)
    assert len(draft.body["attributes"][0]["name"]) == MAX_OPTION_NAME // 6
    with pytest.raises(RecordError, match="no options"):
        product_draft(listing(variant("A", (("Size", "S"),)), variant("B")), settings)
