"""Product custom fields: name/value pairs of 1-250 characters, unique per product, at most 200
(D:PROD#L3243-3250). Written through their own endpoints or inline in a product POST/PUT, where
an item with ``id`` updates that field and one without creates a new field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from flxd_bigcommerce.sandbox.catalog.catalog import Catalog
from flxd_bigcommerce.sandbox.catalog.records import CustomField
from flxd_bigcommerce.sandbox.catalog.writes import CustomFieldWrite
from flxd_bigcommerce.sandbox.errors import ApiError

__all__ = [
    "MAX_CUSTOM_FIELDS",
    "apply_inline_fields",
    "check_inline_fields",
    "create_custom_field",
    "delete_custom_field",
    "get_custom_field",
    "update_custom_field",
]

MAX_CUSTOM_FIELDS = 200


def check_inline_fields(
    catalog: Catalog, product_id: int, writes: Sequence[CustomFieldWrite], prefix: str = ""
) -> None:
    """422 unless applying ``writes`` leaves the product's fields complete and unique."""
    pairs = {f.id: (f.name, f.value) for f in catalog.fields_of(product_id)}
    new = 0
    for index, write in enumerate(writes):
        where = f"{prefix}custom_fields.{index}"
        if write.id is not None:
            if write.id not in pairs:
                raise ApiError.invalid({f"{where}.id": "custom field not found on this product"})
            name, value = pairs[write.id]
            pairs[write.id] = (write.name or name, write.value or value)
        elif write.name is None or write.value is None:
            raise ApiError.invalid({where: "name and value are required"})
        else:
            new += 1
            pairs[-new] = (write.name, write.value)
    if len(pairs) > MAX_CUSTOM_FIELDS:
        raise ApiError.invalid(
            {f"{prefix}custom_fields": f"at most {MAX_CUSTOM_FIELDS} custom fields per product"}
        )
    if len(set(pairs.values())) != len(pairs):
        # The spec documents 422 (not 409) for custom-field writes (D:PROD#L3243, L3272).
        raise ApiError.invalid(
            {f"{prefix}custom_fields": "Every name-value pair must be unique inside a product"}
        )


def apply_inline_fields(
    catalog: Catalog, product_id: int, writes: Sequence[CustomFieldWrite]
) -> list[CustomField]:
    """Apply already-checked writes; returns the fields written."""
    out = []
    for write in writes:
        if write.id is not None:
            old = catalog.custom_fields[write.id]
            field = replace(old, name=write.name or old.name, value=write.value or old.value)
        else:
            assert write.name is not None and write.value is not None
            field = CustomField(
                id=catalog.ids.take("custom_field"),
                product_id=product_id,
                name=write.name,
                value=write.value,
            )
        out.append(catalog.put_custom_field(field))
    return out


def get_custom_field(catalog: Catalog, product_id: int, field_id: int) -> CustomField:
    catalog.product(product_id)
    found = catalog.custom_fields.get(field_id)
    if found is None or found.product_id != product_id:
        raise ApiError.not_found("Custom field")
    return found


def create_custom_field(catalog: Catalog, product_id: int, write: CustomFieldWrite) -> CustomField:
    catalog.product(product_id)
    check_inline_fields(catalog, product_id, [write.model_copy(update={"id": None})])
    [field] = apply_inline_fields(catalog, product_id, [write.model_copy(update={"id": None})])
    _changed(catalog, product_id)
    return field


def update_custom_field(
    catalog: Catalog, product_id: int, field_id: int, write: CustomFieldWrite
) -> CustomField:
    get_custom_field(catalog, product_id, field_id)
    scoped = write.model_copy(update={"id": field_id})
    check_inline_fields(catalog, product_id, [scoped])
    [field] = apply_inline_fields(catalog, product_id, [scoped])
    _changed(catalog, product_id)
    return field


def delete_custom_field(catalog: Catalog, product_id: int, field_id: int) -> None:
    get_custom_field(catalog, product_id, field_id)
    catalog.drop_custom_field(field_id)
    _changed(catalog, product_id)


def _changed(catalog: Catalog, product_id: int) -> None:
    catalog.touch(product_id)
    catalog.emit("store/product/updated", {"type": "product", "id": product_id})
