"""Writes whose inventory part the inventory service does not save: the pessimistic 207.

BigCommerce answers product and variant creates and updates, batch ``PUT /catalog/products``
included, with 207 Multi-Status "when product fields were saved but inventory fields were not
(bad inventory data, or the inventory service unavailable)" (API.md §13; D:PROD#L367-373). Under
``partial_write_rate`` each such write that carries inventory fields loses them with that
chance, drawn per item from the store's seeded RNG: everything else in it is saved, and the
answer names the item's lost fields. A write without inventory fields has nothing to lose and
is always saved whole.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flxd_bigcommerce.sandbox.behaviour import StoreDraws
from flxd_bigcommerce.sandbox.catalog.products import STOCK_FIELDS
from flxd_bigcommerce.sandbox.catalog.writes import ProductWrite, VariantWrite

__all__ = ["LOST_INVENTORY", "lose_inventory"]

LOST_INVENTORY = (
    "The inventory data was not saved (the inventory service did not accept it); the rest "
    "was saved. Send the inventory data again."
)
W = TypeVar("W", ProductWrite, VariantWrite)


def _inventory_paths(write: ProductWrite | VariantWrite) -> list[str]:
    paths = sorted(STOCK_FIELDS & write.model_fields_set)
    if isinstance(write, ProductWrite):
        for index, variant in enumerate(write.variants or []):
            paths += [
                f"variants.{index}.{f}" for f in sorted(STOCK_FIELDS & variant.model_fields_set)
            ]
    return paths


def _without_inventory(write: W) -> W:
    data: dict[str, Any] = write.model_dump(exclude_unset=True, exclude=set(STOCK_FIELDS))
    if isinstance(write, ProductWrite) and write.variants is not None:
        data["variants"] = [
            v.model_dump(exclude_unset=True, exclude=set(STOCK_FIELDS)) for v in write.variants
        ]
    return type(write).model_validate(data)


def lose_inventory(write: W, draws: StoreDraws, rate: float) -> tuple[W, dict[str, str]]:
    """The write as the store will apply it, and the fields it lost (``{}``: none). Nothing
    is drawn for a write without inventory fields."""
    paths = _inventory_paths(write)
    if not paths or not draws.partial_write(rate):
        return write, {}
    return _without_inventory(write), dict.fromkeys(paths, LOST_INVENTORY)
