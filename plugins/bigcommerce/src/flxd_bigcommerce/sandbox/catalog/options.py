"""Variant options and their values, as far as variants need them: a product's options name the
axes (Size, Color) and each variant picks one value per option."""

from __future__ import annotations

from dataclasses import replace

from flxd_bigcommerce.sandbox.catalog.catalog import Catalog
from flxd_bigcommerce.sandbox.catalog.records import Option, OptionValue
from flxd_bigcommerce.sandbox.catalog.variants import drop_variants
from flxd_bigcommerce.sandbox.catalog.writes import OptionValueWrite, OptionWrite
from flxd_bigcommerce.sandbox.errors import ApiError

__all__ = [
    "create_option",
    "create_option_value",
    "delete_option",
    "delete_option_value",
    "get_option",
    "get_option_value",
    "update_option",
    "update_option_value",
]


def get_option(catalog: Catalog, product_id: int, option_id: int) -> Option:
    catalog.product(product_id)
    found = catalog.options.get(option_id)
    if found is None or found.product_id != product_id:
        raise ApiError.not_found("Option")
    return found


def get_option_value(
    catalog: Catalog, product_id: int, option_id: int, value_id: int
) -> tuple[Option, OptionValue]:
    option = get_option(catalog, product_id, option_id)
    value = option.value(value_id)
    if value is None:
        raise ApiError.not_found("Option value")
    return option, value


def _check_name(catalog: Catalog, product_id: int, name: str, option_id: int | None) -> None:
    for option in catalog.options_of(product_id):
        if option.display_name.casefold() == name.casefold() and option.id != option_id:
            raise ApiError(409, "An option with this display name already exists")


def _new_value(catalog: Catalog, write: OptionValueWrite, index: int) -> OptionValue:
    if not write.label:
        raise ApiError.invalid({f"option_values.{index}.label": "label is required"})
    return OptionValue(
        id=catalog.ids.take("option_value"),
        label=write.label,
        sort_order=write.sort_order if write.sort_order is not None else index,
        is_default=bool(write.is_default),
        value_data=write.value_data,
    )


def _updated_value(value: OptionValue, write: OptionValueWrite) -> OptionValue:
    changes = {k: v for k, v in write.provided().items() if k != "id" and v is not None}
    return replace(value, **changes)


def _changed(catalog: Catalog, product_id: int) -> None:
    catalog.touch(product_id)
    catalog.emit("store/product/updated", {"type": "product", "id": product_id})


def create_option(catalog: Catalog, product_id: int, write: OptionWrite) -> Option:
    catalog.product(product_id)
    missing = {f: f"{f} is required" for f in ("display_name", "type") if not getattr(write, f)}
    if missing:
        raise ApiError.invalid(missing)
    assert write.display_name is not None and write.type is not None
    _check_name(catalog, product_id, write.display_name, None)
    values = tuple(_new_value(catalog, v, i) for i, v in enumerate(write.option_values or []))
    option = Option(
        id=catalog.ids.take("option"),
        product_id=product_id,
        display_name=write.display_name,
        type=write.type,
        sort_order=write.sort_order or 0,
        values=values,
        config=write.config or {},
    )
    catalog.put_option(option)
    _changed(catalog, product_id)
    return option


def update_option(catalog: Catalog, product_id: int, option_id: int, write: OptionWrite) -> Option:
    option = get_option(catalog, product_id, option_id)
    if write.display_name is not None:
        _check_name(catalog, product_id, write.display_name, option_id)
    values = list(option.values)
    for index, value_write in enumerate(write.option_values or []):
        if value_write.id is None:
            values.append(_new_value(catalog, value_write, len(values)))
            continue
        position = next((i for i, v in enumerate(values) if v.id == value_write.id), None)
        if position is None:
            raise ApiError.invalid({f"option_values.{index}.id": "option value not found"})
        values[position] = _updated_value(values[position], value_write)
    changes = {
        k: v
        for k, v in write.provided().items()
        if k in ("display_name", "type", "sort_order", "config") and v is not None
    }
    option = catalog.put_option(replace(option, values=tuple(values), **changes))
    _changed(catalog, product_id)
    return option


def delete_option(catalog: Catalog, product_id: int, option_id: int) -> None:
    """Deleting an option deletes the variants built on it."""
    option = get_option(catalog, product_id, option_id)
    doomed = {v.id for v in option.values}
    catalog.drop_option(option_id)
    _drop_variants_using(catalog, product_id, doomed)


def create_option_value(
    catalog: Catalog, product_id: int, option_id: int, write: OptionValueWrite
) -> OptionValue:
    option = get_option(catalog, product_id, option_id)
    if write.label and any(v.label == write.label for v in option.values):
        raise ApiError.invalid({"label": "An option value with this label already exists"})
    value = _new_value(catalog, write, len(option.values))
    catalog.put_option(replace(option, values=(*option.values, value)))
    _changed(catalog, product_id)
    return value


def update_option_value(
    catalog: Catalog, product_id: int, option_id: int, value_id: int, write: OptionValueWrite
) -> OptionValue:
    option, value = get_option_value(catalog, product_id, option_id, value_id)
    updated = _updated_value(value, write)
    values = tuple(updated if v.id == value_id else v for v in option.values)
    catalog.put_option(replace(option, values=values))
    _changed(catalog, product_id)
    return updated


def delete_option_value(catalog: Catalog, product_id: int, option_id: int, value_id: int) -> None:
    """Deleting an option value deletes the variants that use it."""
    option, _ = get_option_value(catalog, product_id, option_id, value_id)
    catalog.put_option(replace(option, values=tuple(v for v in option.values if v.id != value_id)))
    _drop_variants_using(catalog, product_id, {value_id})


def _drop_variants_using(catalog: Catalog, product_id: int, value_ids: set[int]) -> None:
    doomed = [v.id for v in catalog.variants_of(product_id) if value_ids & set(v.option_value_ids)]
    if doomed:
        drop_variants(catalog, product_id, doomed)
    else:
        _changed(catalog, product_id)
