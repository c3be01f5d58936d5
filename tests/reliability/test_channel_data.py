"""Bad data from the channel: malformed and extreme payloads (hypothesis).

Products and orders as the sandbox serves them are mutated at random places: fields missing,
wrong types, huge and odd strings (NUL, unpaired surrogates, superscript digits), negative and
over-limit numbers, dates in odd formats. The mappers must either refuse the record with a
RecordError that says why, or read it into values the hub can store and that mean what the
channel sent. Whole pages with one such record go through real runs: the run goes on with the
rest of the page, stores each good record exactly, and never fails as a whole.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from flxd_bigcommerce.listings.products import parse_product
from flxd_bigcommerce.orders.mapping import map_order
from flxd_bigcommerce.parse import money, parse_date, whole
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flxd.errors import RecordError
from flxd.hub.model import Address, Order
from tests.reliability.channel_payloads import (
    HOSTILE,
    ODD_DATES,
    mutated,
    order_templates,
    product_templates,
)
from tests.reliability.conftest import report_when_done

INT64 = 2**63 - 1
CHECKED: dict[str, int] = {}
_counts = report_when_done(examples=lambda: dict(CHECKED))  # what was checked


def _count(name: str) -> None:
    CHECKED[name] = CHECKED.get(name, 0) + 1


def storable_text(value: str | None, what: str) -> None:
    """Text the hub keeps as it is, in SQLite and PostgreSQL alike."""
    if value is None:
        return
    assert isinstance(value, str), f"{what}: {type(value).__name__}"
    assert "\x00" not in value, f"{what}: NUL"
    value.encode("utf-8")  # raises on an unpaired surrogate


def storable_int(value: int | None, what: str, *, minimum: int = 0) -> None:
    if value is None:
        return
    assert isinstance(value, int) and not isinstance(value, bool), what
    assert minimum <= value <= INT64, f"{what}: {value}"


def storable_money(value: Decimal | None, what: str) -> None:
    if value is None:
        return
    assert isinstance(value, Decimal) and value.is_finite(), f"{what}: {value!r}"
    # Stored as its exact decimal string: that string must be of a sane size.
    assert len(format(value, "f")) <= 40, f"{what}: {len(format(value, 'f'))} characters"


def storable_time(value: datetime, what: str) -> None:
    assert value.tzinfo is not None and value.utcoffset() == UTC.utcoffset(None), what


# ---- the parsing helpers ----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(value=HOSTILE)
def test_whole_refuses_or_reads_an_int(value: Any) -> None:
    _count("whole")
    try:
        found = whole(value, "quantity", minimum=0)
    except RecordError as exc:
        assert "quantity" in str(exc)
        return
    storable_int(found, "quantity")
    if isinstance(value, int):
        assert found == value


@settings(max_examples=300, deadline=None)
@given(value=HOSTILE)
def test_money_refuses_or_reads_an_exact_amount(value: Any) -> None:
    _count("money")
    try:
        found = money(value, "price", required=False)
    except RecordError as exc:
        assert "price" in str(exc)
        return
    storable_money(found, "price")
    if isinstance(value, int | float) and not isinstance(value, bool) and found is not None:
        assert math.isclose(float(found), float(value), rel_tol=1e-12)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(HOSTILE, st.sampled_from(ODD_DATES), st.datetimes().map(str)))
def test_parse_date_refuses_or_reads_an_aware_utc_time(value: Any) -> None:
    _count("dates")
    try:
        found = parse_date(value, "date_modified")
    except RecordError as exc:
        assert "date_modified" in str(exc)
        return
    storable_time(found, "date_modified")


# ---- whole records ----------------------------------------------------------------------------


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated(product_templates()))
def test_a_bad_product_is_refused_with_a_reason_or_read_faithfully(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _count("products")
    raw = case[1]
    try:
        product = parse_product(raw)
    except RecordError as exc:
        assert str(exc) and exc.record.startswith("product"), (exc, exc.record)
        return
    product_id = int(product.ref)
    assert product_id == raw["id"] if isinstance(raw.get("id"), int) else product_id >= 1
    storable_int(product_id, "id", minimum=1)
    storable_int(product.stock, "stock")
    for text in (product.name, product.description, *product.identifiers.values()):
        storable_text(text, "product text")
    for name, value in product.attributes:
        storable_text(name, "custom field name")
        storable_text(value, "custom field value")
    for item in product.items:
        storable_int(item.quantity, f"{item.record} quantity")
        storable_money(item.price, f"{item.record} price")
        for text in item.identifiers.values():
            storable_text(text, f"{item.record} text")
        for option, label in item.options:
            storable_text(option, "option")
            storable_text(label, "option label")


def _address_texts(address: Address | None) -> list[str | None]:
    if address is None:
        return []
    return [
        address.channel_address_id,
        address.name,
        address.company,
        address.street_1,
        address.street_2,
        address.city,
        address.state,
        address.zip,
        address.country,
        address.country_code,
        address.phone,
        address.email,
        address.shipping_method,
    ]


def check_order(order: Order) -> None:
    storable_time(order.created_at, "date_created")
    storable_time(order.modified_at, "date_modified")
    for amount in (
        order.grand_total,
        order.subtotal,
        order.shipping_total,
        order.tax_total,
        order.discount_total,
    ):
        storable_money(amount, "order amount")
    texts = [order.channel_order_id, order.status_code, order.status_name, order.currency]
    texts += [order.customer_name, order.customer_email, order.customer_phone]
    texts += _address_texts(order.billing_address)
    for address in order.addresses:
        texts += _address_texts(address)
    for line in order.lines:
        storable_int(line.quantity, "line quantity")
        storable_money(line.unit_price, "line price")
        storable_money(line.total, "line total")
        texts += [line.channel_line_id, line.sku, line.name, line.channel_address_id]
    for text in texts:
        storable_text(text, "order text")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated(order_templates()))
def test_a_bad_order_is_refused_with_a_reason_or_read_faithfully(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _count("orders")
    raw = case[1]
    try:
        order = map_order("shop", raw)
    except RecordError as exc:
        assert str(exc) and exc.record.startswith("order"), (exc, exc.record)
        return
    assert order.channel_order_id == str(raw["id"])
    check_order(order)


pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
