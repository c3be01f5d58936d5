"""Values that crashed a run, or were stored wrong, before issue 9's property tests found them.
Each is now a RecordError for its record (skipped with the reason, the page goes on)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from flxd_bigcommerce.client import MAX_PAGE
from flxd_bigcommerce.listings.products import parse_product
from flxd_bigcommerce.listings.scan import full_scan, modified_scan
from flxd_bigcommerce.orders.mapping import map_order
from flxd_bigcommerce.parse import money, parse_date, text, whole
from flxd_bigcommerce.policy import problem_details

from flxd.plugin import RecordError

SINCE, UNTIL = datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
PRODUCT: dict[str, Any] = {
    "id": 7,
    "name": "Tee",
    "sku": "TEE",
    "price": 19.9,
    "inventory_level": 3,
    "inventory_tracking": "variant",
    "date_modified": "2026-01-01T00:00:00+00:00",
    "variants": [
        {
            "id": 70,
            "sku": "TEE-S",
            "price": None,
            "inventory_level": 3,
            "option_values": [{"option_display_name": "Size", "label": "S"}],
        }
    ],
}
LINE = {"id": 5, "sku": "TEE-S", "quantity": 1, "price_ex_tax": "19.9", "order_address_id": 9}
ORDER: dict[str, Any] = {
    "id": 100,
    "status_id": 11,
    "date_created": "Thu, 01 Jan 2026 00:00:00 +0000",
    "date_modified": "Thu, 01 Jan 2026 00:00:00 +0000",
    "total_inc_tax": "29.9",
    "billing_address": {"first_name": "Sam"},
    "consignments": {"shipping": [{"id": 9, "line_items": [LINE]}]},
}


@pytest.mark.parametrize("value", ["²", "٣", 2**63, -(2**63) - 1, "9" * 5000])
def test_whole_refuses_what_it_cannot_read_or_store(value: Any) -> None:
    with pytest.raises(RecordError, match="quantity"):
        whole(value, "quantity")


@pytest.mark.parametrize("value", ["1e999999999", "10E999999", 1e-300, "1e15"])
def test_money_refuses_amounts_out_of_range(value: Any) -> None:
    with pytest.raises(RecordError, match="out of range"):
        money(value, "price")


def test_money_keeps_ordinary_amounts_exact() -> None:
    assert str(money("225.0000", "price")) == "225.0000"
    assert str(money(12.999999999999998, "price")) == "12.999999999999998"


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01000+0001"]
)
def test_dates_past_the_calendar_are_refused(value: str) -> None:
    with pytest.raises(RecordError, match="is not a date"):
        parse_date(value, "date_modified")


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", ["TEE"], {"a": 1}, True, 1.5])
def test_text_refuses_what_the_hub_cannot_keep(value: Any) -> None:
    with pytest.raises(RecordError, match="sku"):
        text(value, "sku")


def test_text_reads_numbers_and_blanks() -> None:
    assert (text(12345, "upc"), text("  ", "upc"), text(None, "upc")) == ("12345", None, None)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("variants",), True),
        (("variants",), [17]),  # a variant that is not an object was left out silently
        (("variants", 0, "option_values"), "Size=S"),
        (("name",), "bad\x00name"),
        (("id",), "\ud800"),
    ],
)
def test_a_malformed_product_is_refused_not_crashed_on(path: tuple[Any, ...], value: Any) -> None:
    raw = copy.deepcopy(PRODUCT)
    target: Any = raw
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(RecordError) as refused:
        parse_product(raw)
    assert refused.value.record.startswith("product ")
    refused.value.record.encode("utf-8")  # printable, whatever the id was


@pytest.mark.parametrize(
    "consignments",
    [
        {"shipping": [{"id": 9, "line_items": [LINE]}, "x"]},  # a consignment left out silently
        {"shipping": True},
        {"shipping": [{"id": 9, "line_items": [LINE]}], "email": "x"},
    ],
)
def test_an_order_with_a_malformed_consignment_is_refused(consignments: Any) -> None:
    raw = {**ORDER, "consignments": consignments}
    with pytest.raises(RecordError, match="consignments") as refused:
        map_order("shop", raw)
    assert refused.value.record == "order 100"


def test_an_order_without_an_id_names_itself() -> None:
    with pytest.raises(RecordError) as refused:
        map_order("shop", {**ORDER, "id": None})
    assert refused.value.record == "order without a readable id"


def test_error_details_are_storable_text() -> None:
    title, fields = problem_details(b'{"title": "bad \\ud800\\u0000", "errors": {"k\\udfff": "v"}}')
    assert title == "bad \\ud800\\x00"
    assert fields == {"k\\udfff": "v"}


class Pages:
    """A client whose product pages are given (the scans only call `get`)."""

    def __init__(self, *pages: list[Any]) -> None:
        self.pages = list(pages)
        self.asked = 0

    async def get(self, version: str, path: str, params: Any = None) -> Any:
        self.asked += 1
        data = self.pages.pop(0) if self.pages else []
        # Keyset scans always ask for page 1; the pages still to come say whether more follow.
        pagination = {"current_page": 1, "total_pages": 1 + len(self.pages)}
        pagination |= {"total": 0, "count": len(data), "per_page": MAX_PAGE}
        return {"data": data, "meta": {"pagination": pagination}}


def _product(n: int, modified: Any = "2026-01-01T00:00:00+00:00") -> dict[str, Any]:
    return {**PRODUCT, "id": n, "sku": f"P-{n}", "variants": [], "date_modified": modified}


@pytest.mark.asyncio
async def test_an_unreadable_date_does_not_stop_an_incremental_scan() -> None:
    # It raised out of the scan: the run failed, and every later run at the same product.
    client = Pages([_product(1), _product(2, "yesterday"), ["not a product"], _product(3)])
    pages = [p async for p in modified_scan(client, since=SINCE, until=UNTIL)]  # type: ignore[arg-type]
    assert [len(p.products) for p in pages] == [4]


@pytest.mark.asyncio
async def test_a_full_page_with_a_non_object_is_still_full() -> None:
    # Dropped before counting, it made the page look short: the scan ended there.
    first = [_product(n) for n in range(1, MAX_PAGE)] + [17]
    client = Pages(first, [_product(MAX_PAGE + 1)])
    pages = [p async for p in full_scan(client)]  # type: ignore[arg-type]
    assert client.asked == 2 and sum(len(p.products) for p in pages) == MAX_PAGE + 1
    with pytest.raises(RecordError, match="expected a product object"):
        parse_product(17)  # type: ignore[arg-type]
