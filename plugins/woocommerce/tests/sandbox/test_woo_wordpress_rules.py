"""WordPress's and PHP's rules as the store applies them, unit by unit: argument validation,
query-string parsing, OAuth base strings, date bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from flxd_woocommerce.sandbox import oauth1
from flxd_woocommerce.sandbox.php import parse_query, php_json
from flxd_woocommerce.sandbox.schema.wpvalidate import sanitize, validate
from flxd_woocommerce.sandbox.wpdates import parse_timezone, query_bound
from hypothesis import given, settings
from hypothesis import strategies as st
from woo_client import oauth_params

INTEGER = {"type": "integer"}
STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}
IDS = {"type": "array", "items": INTEGER}


@pytest.mark.parametrize(
    ("value", "schema", "problem"),
    [
        ("10", INTEGER, None),
        ("10.0", INTEGER, None),
        ("10.5", INTEGER, "p is not of type integer."),
        (True, INTEGER, "p is not of type integer."),
        (12.5, STRING, "p is not of type string."),
        ("yes", BOOLEAN, "p is not of type boolean."),
        ("FALSE", BOOLEAN, None),
        (1, BOOLEAN, None),
        ("1,2 3", IDS, None),
        ("1,x", IDS, "p[1] is not of type integer."),
        ({"a": 1}, IDS, "p is not of type array."),
        ([1, 2], {"type": "object"}, None),
        ("", {"type": "object"}, None),
        ("anything", {"type": "date-time"}, None),
        ("2025-01-15", {"type": "string", "format": "date-time"}, "Invalid date."),
        ("2025-01-15T10:00:00.123+02:00", {"type": "string", "format": "date-time"}, None),
        ("b", {"type": "string", "enum": ["a"]}, "p is not one of a."),
        (
            ["a", "b"],
            {"type": "array", "items": {"type": "string", "enum": ["a"]}},
            "p[1] is not one of a.",
        ),
        (
            0,
            {"type": "integer", "minimum": 1, "maximum": 100},
            "p must be between 1 (inclusive) and 100 (inclusive)",
        ),
        (
            {},
            {"type": "object", "properties": {"k": {"type": "string", "required": True}}},
            "k is a required property of p.",
        ),
        (
            [{"key": 1}],
            {"type": "array", "items": {"type": "object", "properties": {"key": STRING}}},
            "p[0][key] is not of type string.",
        ),
    ],
)
def test_validation(value: Any, schema: dict[str, Any], problem: str | None) -> None:
    assert validate(value, schema, "p") == problem


def test_sanitizing() -> None:
    assert sanitize("10", INTEGER) == 10
    assert sanitize("false", BOOLEAN) is False
    assert sanitize("1, 2", IDS) == [1, 2]
    assert sanitize(5, STRING) == "5"


def test_php_query_parsing() -> None:
    assert parse_query("a=1&a=2") == {"a": "2"}
    assert parse_query("s[]=x&s[]=y&m[k]=v") == {"s": ["x", "y"], "m": {"k": "v"}}
    assert parse_query("t=2025-01-01T00:00:00+00:00") == {"t": "2025-01-01T00:00:00 00:00"}
    assert parse_query("a.b=1&flag") == {"a_b": "1", "flag": ""}


def test_php_json_escapes_like_wp_json_encode() -> None:
    assert php_json({"u": "https://x/é"}) == b'{"u":"https:\\/\\/x\\/\\u00e9"}'


def test_the_documented_signature_base_string() -> None:
    # The example from WooCommerce's authentication document.
    base = oauth1.base_string(
        "get",
        "http://www.example.com/wp-json/wc/v3/orders",
        {"oauth_consumer_key": "abc123", "oauth_signature_method": "HMAC-SHA1"},
    )
    assert base == (
        "GET&http%3A%2F%2Fwww.example.com%2Fwp-json%2Fwc%2Fv3%2Forders&oauth_consumer_key%3D"
        "abc123%26oauth_signature_method%3DHMAC-SHA1"
    )


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
            lambda k: not k.startswith("oauth")
        ),
        st.text(max_size=12),
        max_size=5,
    ),
    st.sampled_from(["HMAC-SHA1", "HMAC-SHA256"]),
)
def test_a_standard_oauth_signature_checks_out(query: dict[str, str], algorithm: str) -> None:
    url = "http://shop.example/wp-json/wc/v3/products"
    signed = oauth_params(
        "GET", url, query, "ck_1", "cs_2", timestamp=1, nonce="n", algorithm=algorithm
    )
    # What the store sees: the values as PHP decoded them (never with '+' from us: quote).
    params: dict[str, Any] = {**query, **signed}
    given_signature = params.pop("oauth_signature")
    expected = oauth1.signature(oauth1.base_string("GET", url, params), "cs_2", algorithm)
    assert expected == given_signature


def test_date_bounds_follow_wp_date_query() -> None:
    site = parse_timezone("-03:00")
    assert query_bound("2025-01-15T12:00:00", site) == datetime(2025, 1, 15, 12, 0, 0)
    assert query_bound("2025-01-15T12:00:00Z", site) == datetime(2025, 1, 15, 9, 0, 0)
    assert query_bound("2025-01-15T12:00:00.9+01:00", site) == datetime(2025, 1, 15, 8, 0, 0)
    assert query_bound("2025-01-15", site) is None
    assert parse_timezone("+05:30") == timezone(timedelta(hours=5, minutes=30))
    assert parse_timezone("UTC") is UTC
