"""Variant writes: create from option values, update one, batch update, delete.

Stock lives where the product's ``inventory_tracking`` says: on the product (``product``/``none``)
or on each variant (``variant``). A simple product's base variant *is* the product's stock item,
so writes to either side land in both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flxd_bigcommerce.sandbox.catalog.catalog import Catalog
from flxd_bigcommerce.sandbox.catalog.records import (
    MAX_INVENTORY,
    Option,
    OptionValue,
    Product,
    Variant,
)
from flxd_bigcommerce.sandbox.catalog.writes import OptionValueRef, VariantWrite
from flxd_bigcommerce.sandbox.errors import ApiError, BatchError

__all__ = [
    "MAX_BATCH_VARIANTS",
    "VariantOutcome",
    "announce_stock",
    "check_batch_size",
    "create_option_variant",
    "create_variant",
    "delete_variant",
    "drop_variants",
    "mirror_base_variant",
    "new_base_variant",
    "plan_option_values",
    "sku_event_data",
    "update_variant",
    "update_variants",
]

MAX_BATCH_VARIANTS = 50
_NULLABLE = frozenset(
    {
        "price",
        "sale_price",
        "retail_price",
        "map_price",
        "cost_price",
        "weight",
        "width",
        "height",
        "depth",
        "fixed_cost_shipping_price",
        "upc",
        "mpn",
        "gtin",
    }
)
_NOT_RECORD_FIELDS = frozenset({"id", "product_id", "option_values"})


@dataclass(frozen=True, slots=True)
class VariantOutcome:
    variant: Variant
    problems: Mapping[str, str]


def sku_event_data(variant: Variant) -> dict[str, Any]:
    """``data`` of a ``store/sku/*`` webhook: the SKU id plus product and variant ids."""
    return {
        "type": "sku",
        "id": variant.sku_id if variant.sku_id is not None else variant.id,
        "sku": {"product_id": variant.product_id, "variant_id": variant.id},
    }


def plan_option_values(
    catalog: Catalog, product_id: int, refs: Sequence[OptionValueRef], *, create: bool
) -> None:
    """422 unless every reference names an option value of this product (by ids), or --
    when ``create`` -- an option display name and label to create."""
    seen: set[str] = set()
    for index, ref in enumerate(refs):
        where = f"option_values.{index}"
        if ref.id is not None and ref.option_id is not None:
            option = catalog.options.get(ref.option_id)
            if option is None or option.product_id != product_id or option.value(ref.id) is None:
                raise ApiError.invalid({where: "The option value does not exist on this product"})
            key = option.display_name.casefold()
        elif create and ref.option_display_name and ref.label:
            key = ref.option_display_name.casefold()
        else:
            raise ApiError.invalid({where: "option value needs id and option_id"})
        if key in seen:
            raise ApiError.invalid({where: "an option appears twice"})
        seen.add(key)


def _resolve_option_values(
    catalog: Catalog, product_id: int, refs: Sequence[OptionValueRef]
) -> tuple[int, ...]:
    ids: list[int] = []
    for ref in refs:
        if ref.id is not None:
            ids.append(ref.id)
            continue
        assert ref.option_display_name is not None and ref.label is not None
        name = ref.option_display_name.casefold()
        option = next(
            (o for o in catalog.options_of(product_id) if o.display_name.casefold() == name), None
        )
        if option is None:
            option = Option(
                id=catalog.ids.take("option"),
                product_id=product_id,
                display_name=ref.option_display_name,
            )
        value = next((v for v in option.values if v.label == ref.label), None)
        if value is None:
            value = OptionValue(
                id=catalog.ids.take("option_value"),
                label=ref.label,
                sort_order=len(option.values),
            )
            option = replace(option, values=(*option.values, value))
        catalog.put_option(option)
        ids.append(value.id)
    return tuple(ids)


def new_base_variant(catalog: Catalog, product: Product) -> Variant:
    """A base variant for a product that has none, born mirroring it (so no read could ever
    have seen it otherwise)."""
    base = Variant(
        id=catalog.ids.take("variant"),
        product_id=product.id,
        sku=product.sku,
        upc=product.upc,
        mpn=product.mpn,
        gtin=product.gtin,
        inventory_level=product.inventory_level,
    )
    catalog.put_variant(base)
    return base


def mirror_base_variant(catalog: Catalog, product: Product) -> None:
    """Copy the product's SKU, codes and stock to its base variant (they are one stock item)."""
    if product.base_variant_id is None:
        return
    base = catalog.variants[product.base_variant_id]
    mirrored = replace(
        base,
        sku=product.sku,
        upc=product.upc,
        mpn=product.mpn,
        gtin=product.gtin,
        inventory_level=product.inventory_level,
    )
    if mirrored != base:
        catalog.put_variant(mirrored)


def create_option_variant(
    catalog: Catalog, product_id: int, write: VariantWrite, *, touch: bool = True
) -> Variant:
    """Create a variant from option values; the product stops being a simple product."""
    assert write.sku is not None and write.option_values is not None
    value_ids = _resolve_option_values(catalog, product_id, write.option_values)
    combo = frozenset(value_ids)
    if any(frozenset(v.option_value_ids) == combo for v in catalog.variants_of(product_id)):
        raise ApiError(409, "A variant with these option values already exists")
    fields = {k: v for k, v in _variant_changes(write).items() if k != "sku"}
    variant = Variant(
        id=catalog.ids.take("variant"),
        product_id=product_id,
        sku=write.sku,
        sku_id=catalog.ids.take("sku"),
        option_value_ids=value_ids,
        **fields,
    )
    product = catalog.products[product_id]
    if product.base_variant_id is not None:
        catalog.drop_variant(product.base_variant_id)
        catalog.put_product(replace(product, base_variant_id=None), touch=False)
    catalog.put_variant(variant)
    if touch:
        catalog.touch(product_id)
    catalog.emit("store/sku/created", sku_event_data(variant))
    return variant


def create_variant(catalog: Catalog, product_id: int, write: VariantWrite) -> Variant:
    """``POST /catalog/products/{id}/variants``: ``sku`` and ``option_values`` are required."""
    catalog.product(product_id)
    _check_create(catalog, product_id, write)
    return create_option_variant(catalog, product_id, write)


def _check_create(catalog: Catalog, product_id: int, write: VariantWrite) -> None:
    missing = {f: f"{f} is required" for f in ("sku", "option_values") if not getattr(write, f)}
    if missing:
        raise ApiError.invalid(missing)
    assert write.sku is not None and write.option_values is not None
    catalog.check_sku(write.sku, product_id, -1)
    plan_option_values(catalog, product_id, write.option_values, create=True)


def _variant_changes(write: VariantWrite) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, value in write.provided().items():
        if name in _NOT_RECORD_FIELDS or (value is None and name not in _NULLABLE):
            continue
        if name == "inventory_level":
            value = min(value, MAX_INVENTORY)
        changes[name] = value
    return changes


def update_variant(
    catalog: Catalog, variant_id: int, write: VariantWrite, product_id: int | None = None
) -> VariantOutcome:
    variant = catalog.variant(variant_id, product_id)
    _check_update(catalog, variant, write)
    return _apply_update(catalog, variant, write)


def _check_update(catalog: Catalog, variant: Variant, write: VariantWrite) -> None:
    if write.sku is not None:
        catalog.check_sku(write.sku, variant.product_id, variant.id)


def _apply_update(catalog: Catalog, variant: Variant, write: VariantWrite) -> VariantOutcome:
    product = catalog.products[variant.product_id]
    changes = _variant_changes(write)
    problems: dict[str, str] = {}
    is_base = variant.id == product.base_variant_id
    if "inventory_level" in changes and product.inventory_tracking == "product" and not is_base:
        # The level of a variant of a product tracked by product is not where stock lives:
        # the rest is saved and the answer is a 207 (D:VAR#L2107; D:INV#L102).
        changes.pop("inventory_level")
        problems["inventory_level"] = (
            "The product's inventory is tracked by product; set inventory_level on the product"
        )
    old_level = catalog.product_inventory(product)
    updated = catalog.put_variant(replace(variant, **changes))
    if is_base:
        mirrored: dict[str, Any] = {
            "sku": updated.sku,
            "upc": updated.upc or "",
            "mpn": updated.mpn or "",
            "gtin": updated.gtin or "",
            "inventory_level": updated.inventory_level,
        }
        catalog.put_product(replace(product, **mirrored), touch=catalog.stamps(product_field=False))
        catalog.emit("store/product/updated", {"type": "product", "id": product.id})
    else:
        catalog.touch(product.id)
        catalog.emit("store/sku/updated", sku_event_data(updated))
    _emit_inventory(catalog, catalog.products[product.id], updated, old_level)
    return VariantOutcome(updated, problems)


def _emit_inventory(catalog: Catalog, product: Product, variant: Variant, old: int) -> None:
    if catalog.product_inventory(product) != old:
        announce_stock(catalog, product, variant)


def announce_stock(catalog: Catalog, product: Product, variant: Variant | None) -> None:
    """Fire the inventory webhook for a new absolute level. A product with variants tracked by
    variant fires ``store/sku/inventory/updated``; any other tracked product (a simple product
    whichever way it tracks) fires ``store/product/inventory/updated`` (D:WHEV#L947-970,
    L1064-1120); untracked stock fires nothing."""
    if product.inventory_tracking == "none":
        return
    inventory: dict[str, Any] = {"product_id": product.id, "method": "absolute"}
    by_variant = product.inventory_tracking == "variant" and product.base_variant_id is None
    if by_variant and variant is not None:
        inventory |= {"variant_id": variant.id, "value": variant.inventory_level}
        data = {**sku_event_data(variant), "inventory": inventory}
        catalog.emit("store/sku/inventory/updated", data)
    elif not by_variant:
        inventory["value"] = catalog.product_inventory(product)
        data = {"type": "product", "id": product.id, "inventory": inventory}
        catalog.emit("store/product/inventory/updated", data)


def check_batch_size(count: int) -> None:
    """413 for a batch past 50 variants (D:VAR#L1246-1258, L1623)."""
    if count > MAX_BATCH_VARIANTS:
        raise ApiError(413, f"The maximum items allowed in the array is {MAX_BATCH_VARIANTS}")


def update_variants(catalog: Catalog, writes: Sequence[VariantWrite]) -> list[VariantOutcome]:
    """``PUT /catalog/variants``: update by ``id`` or create with ``product_id``, ``sku`` and
    ``option_values``. Every item is checked first; failures come back together as 422
    ``batch_errors`` and nothing is applied."""
    check_batch_size(len(writes))
    failures: list[ApiError] = []
    seen: set[str] = set()
    for index, write in enumerate(writes):
        try:
            if write.sku:
                if write.sku.casefold() in seen:
                    raise ApiError(409, "Duplicate SKU in the batch", {"sku": write.sku})
                seen.add(write.sku.casefold())
            if write.id is not None:
                _check_update(catalog, catalog.variant(write.id), write)
            elif write.product_id is not None:
                catalog.product(write.product_id)
                _check_create(catalog, write.product_id, write)
            else:
                raise ApiError.invalid({"id": "id, or product_id to create a variant, required"})
        except ApiError as exc:
            failures.append(_indexed(exc, index))
    if failures:
        raise BatchError(failures)
    out: list[VariantOutcome] = []
    for write in writes:
        if write.id is not None:
            out.append(_apply_update(catalog, catalog.variants[write.id], write))
        else:
            assert write.product_id is not None
            out.append(VariantOutcome(create_option_variant(catalog, write.product_id, write), {}))
    return out


def _indexed(exc: ApiError, index: int) -> ApiError:
    errors = {f"{index}.{k}": v for k, v in exc.errors.items()} or {str(index): exc.title}
    return ApiError(exc.status, exc.title, errors)


def delete_variant(catalog: Catalog, product_id: int, variant_id: int) -> None:
    """Delete a variant; deleting a product's last option variant gives it a base variant
    again, so every product keeps exactly one stock item at least."""
    product = catalog.product(product_id)
    variant = catalog.variant(variant_id, product_id)
    if variant.id == product.base_variant_id:
        raise ApiError.invalid({"variant_id": "The base variant of a product cannot be deleted"})
    drop_variants(catalog, product_id, [variant_id])


def drop_variants(catalog: Catalog, product_id: int, variant_ids: Sequence[int]) -> None:
    """Remove variants (and announce it); a product left with none gets a base variant."""
    dropped = [catalog.drop_variant(variant_id) for variant_id in variant_ids]
    product = catalog.products[product_id]
    if next(catalog.variants_of(product_id), None) is None:
        base = new_base_variant(catalog, product)
        catalog.put_product(replace(product, base_variant_id=base.id), touch=False)
    catalog.touch(product_id)
    for variant in dropped:
        catalog.emit("store/sku/deleted", sku_event_data(variant))
