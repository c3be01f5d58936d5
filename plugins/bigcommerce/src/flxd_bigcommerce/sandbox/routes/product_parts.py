"""Catalog V3 endpoints for the parts of a product: custom fields, options, option values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from flxd_bigcommerce.sandbox.catalog import custom_fields as fields_ops
from flxd_bigcommerce.sandbox.catalog import options as option_ops
from flxd_bigcommerce.sandbox.catalog.records import OptionValue
from flxd_bigcommerce.sandbox.catalog.serialize import custom_field_json, option_json
from flxd_bigcommerce.sandbox.catalog.writes import (
    CustomFieldWrite,
    OptionValueWrite,
    OptionWrite,
    parse_body,
)
from flxd_bigcommerce.sandbox.pagination import parse_page, v3_collection_meta
from flxd_bigcommerce.sandbox.routes.context import Call, Endpoint
from flxd_bigcommerce.sandbox.routes.responses import no_content, v3_data

__all__ = ["ENDPOINTS"]

SCOPE = "store_v2_products"


def _paged(call: Call, items: Sequence[Any]) -> web.Response:
    page = parse_page(call.query)
    chosen = page.slice(items)
    return v3_data(list(chosen), meta=v3_collection_meta(len(items), page, len(chosen), call.query))


def _value_json(value: OptionValue) -> dict[str, Any]:
    return {
        "id": value.id,
        "label": value.label,
        "sort_order": value.sort_order,
        "value_data": value.value_data or {},
        "is_default": value.is_default,
    }


async def list_fields(call: Call) -> web.Response:
    product_id = call.path_int("product_id")
    catalog = call.store.catalog
    catalog.product(product_id)
    return _paged(call, [custom_field_json(f) for f in catalog.fields_of(product_id)])


async def create_field(call: Call) -> web.Response:
    write = parse_body(CustomFieldWrite, await call.json())
    created = fields_ops.create_custom_field(call.store.catalog, call.path_int("product_id"), write)
    return v3_data(custom_field_json(created))


def _field_ids(call: Call) -> tuple[int, int]:
    return call.path_int("product_id"), call.path_int("custom_field_id")


async def get_field(call: Call) -> web.Response:
    found = fields_ops.get_custom_field(call.store.catalog, *_field_ids(call))
    return v3_data(custom_field_json(found))


async def update_field(call: Call) -> web.Response:
    product_id, field_id = _field_ids(call)
    write = parse_body(CustomFieldWrite, await call.json())
    updated = fields_ops.update_custom_field(call.store.catalog, product_id, field_id, write)
    return v3_data(custom_field_json(updated))


async def delete_field(call: Call) -> web.Response:
    fields_ops.delete_custom_field(call.store.catalog, *_field_ids(call))
    return no_content()


async def list_options(call: Call) -> web.Response:
    product_id = call.path_int("product_id")
    catalog = call.store.catalog
    catalog.product(product_id)
    return _paged(call, [option_json(o) for o in catalog.options_of(product_id)])


async def create_option(call: Call) -> web.Response:
    write = parse_body(OptionWrite, await call.json())
    option = option_ops.create_option(call.store.catalog, call.path_int("product_id"), write)
    return v3_data(option_json(option))


async def get_option(call: Call) -> web.Response:
    option = option_ops.get_option(
        call.store.catalog, call.path_int("product_id"), call.path_int("option_id")
    )
    return v3_data(option_json(option))


async def update_option(call: Call) -> web.Response:
    write = parse_body(OptionWrite, await call.json())
    option = option_ops.update_option(
        call.store.catalog, call.path_int("product_id"), call.path_int("option_id"), write
    )
    return v3_data(option_json(option))


async def delete_option(call: Call) -> web.Response:
    option_ops.delete_option(
        call.store.catalog, call.path_int("product_id"), call.path_int("option_id")
    )
    return no_content()


async def list_values(call: Call) -> web.Response:
    option = option_ops.get_option(
        call.store.catalog, call.path_int("product_id"), call.path_int("option_id")
    )
    return _paged(call, [_value_json(v) for v in option.values])


async def create_value(call: Call) -> web.Response:
    write = parse_body(OptionValueWrite, await call.json())
    value = option_ops.create_option_value(
        call.store.catalog, call.path_int("product_id"), call.path_int("option_id"), write
    )
    return v3_data(_value_json(value))


def _value_ids(call: Call) -> tuple[int, int, int]:
    return call.path_int("product_id"), call.path_int("option_id"), call.path_int("value_id")


async def get_value(call: Call) -> web.Response:
    _, value = option_ops.get_option_value(call.store.catalog, *_value_ids(call))
    return v3_data(_value_json(value))


async def update_value(call: Call) -> web.Response:
    write = parse_body(OptionValueWrite, await call.json())
    value = option_ops.update_option_value(call.store.catalog, *_value_ids(call), write)
    return v3_data(_value_json(value))


async def delete_value(call: Call) -> web.Response:
    option_ops.delete_option_value(call.store.catalog, *_value_ids(call))
    return no_content()


_FIELDS = "/v3/catalog/products/{product_id}/custom-fields"
_OPTIONS = "/v3/catalog/products/{product_id}/options"
_VALUES = _OPTIONS + "/{option_id}/values"
ENDPOINTS = (
    Endpoint("GET", _FIELDS, list_fields, SCOPE, "v3"),
    Endpoint("POST", _FIELDS, create_field, SCOPE, "v3"),
    Endpoint("GET", _FIELDS + "/{custom_field_id}", get_field, SCOPE, "v3"),
    Endpoint("PUT", _FIELDS + "/{custom_field_id}", update_field, SCOPE, "v3"),
    Endpoint("DELETE", _FIELDS + "/{custom_field_id}", delete_field, SCOPE, "v3"),
    Endpoint("GET", _OPTIONS, list_options, SCOPE, "v3"),
    Endpoint("POST", _OPTIONS, create_option, SCOPE, "v3"),
    Endpoint("GET", _OPTIONS + "/{option_id}", get_option, SCOPE, "v3"),
    Endpoint("PUT", _OPTIONS + "/{option_id}", update_option, SCOPE, "v3"),
    Endpoint("DELETE", _OPTIONS + "/{option_id}", delete_option, SCOPE, "v3"),
    Endpoint("GET", _VALUES, list_values, SCOPE, "v3"),
    Endpoint("POST", _VALUES, create_value, SCOPE, "v3"),
    Endpoint("GET", _VALUES + "/{value_id}", get_value, SCOPE, "v3"),
    Endpoint("PUT", _VALUES + "/{value_id}", update_value, SCOPE, "v3"),
    Endpoint("DELETE", _VALUES + "/{value_id}", delete_value, SCOPE, "v3"),
)
