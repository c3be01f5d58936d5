"""WordPress's global `_fields` cuts every answer down, lists item by item; the `Date` header
is the site's server time (the sandbox clock)."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import pytest
from woo_env import START, Env

pytestmark = pytest.mark.asyncio


async def test_fields_cut_lists_objects_and_the_index_down(https: Env) -> None:
    c = https.client
    listed = await c.get("/wc/v3/products", _fields="id,sku", per_page="3")
    assert [set(item) for item in listed.data] == [{"id", "sku"}] * 3
    one = await c.get(f"/wc/v3/products/{listed.data[0]['id']}", _fields="name,dimensions.width")
    assert set(one.data) == {"name", "dimensions"} and set(one.data["dimensions"]) == {"width"}
    index = await c.get("/", _fields="namespaces")
    assert set(index.data) == {"namespaces"}
    everything = await c.get("/wc/v3/products", per_page="1")
    assert "price_html" in everything.data[0]
    https.sandbox.requests(https.store).assert_valid()


async def test_the_date_header_is_the_sites_clock(https: Env) -> None:
    reply = await https.client.get("/wc/v3/products", per_page="1")
    assert parsedate_to_datetime(reply.headers["Date"]) == START
    await https.clock.advance(90)
    reply = await https.client.get("/wc/v3/products", per_page="1")
    assert (parsedate_to_datetime(reply.headers["Date"]) - START).total_seconds() == 90
