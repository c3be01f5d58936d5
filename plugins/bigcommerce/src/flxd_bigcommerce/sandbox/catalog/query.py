"""Which products and variants a catalog listing returns, and in what order.

The unfiltered listing in id order, and a keyset page of it (`id:greater=N&sort=id`) -- what a
full catalog scan asks for -- are slices of the catalog's sorted id list; anything else filters
and sorts all records, as reads see them (stock and prices may lag behind writes).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from flxd_bigcommerce.sandbox.catalog.catalog import Catalog
from flxd_bigcommerce.sandbox.catalog.records import Product, Variant
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.filters import Field, compile_filters

__all__ = ["PRODUCT_FILTERS", "PRODUCT_SORTS", "select_products", "select_variants"]

PRODUCT_SORTS = frozenset(
    {
        "id",
        "name",
        "sku",
        "price",
        "date_modified",
        "date_last_imported",
        "inventory_level",
        "is_visible",
        "total_sold",
        "calculated_price",
    }
)


_PRODUCT_FIELDS: dict[str, Field[Product]] = {
    "id": Field("int", lambda p: p.id),
    "name": Field("str", lambda p: p.name),
    "sku": Field("istr", lambda p: p.sku),
    "upc": Field("str", lambda p: p.upc),
    "mpn": Field("str", lambda p: p.mpn),
    "gtin": Field("str", lambda p: p.gtin),
    "price": Field("decimal", lambda p: p.price),
    "weight": Field("decimal", lambda p: p.weight),
    "type": Field("enum", lambda p: p.type),
    "availability": Field("enum", lambda p: p.availability),
    "condition": Field("enum", lambda p: p.condition),
    "brand_id": Field("int", lambda p: p.brand_id),
    "is_visible": Field("bool", lambda p: p.is_visible),
    "is_featured": Field("bool", lambda p: p.is_featured),
    "is_free_shipping": Field("bool", lambda p: p.is_free_shipping),
    "total_sold": Field("int", lambda p: p.total_sold),
    "date_modified": Field("date", lambda p: p.date_modified),
    "date_last_imported": Field("date", lambda p: p.date_last_imported),
    "keyword": Field("str", lambda p: f"{p.name} {p.sku} {p.description}"),
}
# The attributes a product listing (or a delete by filter) can filter on.
PRODUCT_FILTERS = frozenset({*_PRODUCT_FIELDS, "inventory_level"})


def _product_fields(catalog: Catalog) -> dict[str, Field[Product]]:
    # The catalog's level depends on the tracking mode (a sum of variants, or the product's).
    return {**_PRODUCT_FIELDS, "inventory_level": Field("int", catalog.seen_inventory)}


def _sort_key(catalog: Catalog, sort: str) -> Any:
    if sort == "inventory_level":
        return lambda p: (catalog.seen_inventory(p), p.id)
    if sort == "calculated_price":
        return lambda p: (
            p.sale_price if 0 < p.sale_price < p.price else p.price,
            p.id,
        )
    if sort in ("name", "sku"):
        return lambda p: (getattr(p, sort).casefold(), p.id)
    if sort == "date_last_imported":
        never = datetime.min.replace(tzinfo=UTC)
        return lambda p: (p.date_last_imported or never, p.id)
    return lambda p: (getattr(p, sort), p.id)


def select_products(catalog: Catalog, query: Mapping[str, str], *, now: datetime) -> Sequence[int]:
    """Product ids matching the query's filters, in the requested order."""
    sort = query.get("sort", "id") or "id"
    direction = (query.get("direction") or "asc").lower()
    if sort not in PRODUCT_SORTS:
        raise ApiError.invalid({"sort": f"sort must be one of {', '.join(sorted(PRODUCT_SORTS))}"})
    if direction not in ("asc", "desc"):
        raise ApiError.invalid({"direction": "direction must be asc or desc"})
    query = dict(query)
    if "keyword" in query:  # keyword is a substring search, not an exact match
        query["keyword:like"] = query.pop("keyword")
    keyset = _id_keyset(query)
    if keyset is not None and sort == "id" and direction == "asc":
        # A keyset scan (`id:greater=N&sort=id`): a slice of the sorted ids, as unfiltered.
        ids = catalog.product_ids()
        return ids[bisect.bisect_right(ids, keyset) :]
    matches = compile_filters(query, _product_fields(catalog), now=now)
    if not matches and sort == "id":
        ids = catalog.product_ids()
        return ids if direction == "asc" else ids[::-1]
    seen = map(catalog.seen_product, map(catalog.products.__getitem__, catalog.product_ids()))
    products = [p for p in seen if matches(p)]
    if sort != "id" or direction == "desc":
        products.sort(key=_sort_key(catalog, sort), reverse=direction == "desc")
    return [p.id for p in products]


def _id_keyset(query: Mapping[str, str]) -> int | None:
    """N when `id:greater=N` is the query's only filter (other keys are paging and shape)."""
    filters = [k for k in query if k.partition(":")[0] in PRODUCT_FILTERS or k == "keyword"]
    if filters != ["id:greater"]:
        return None
    try:
        return int(query["id:greater"])
    except ValueError:
        return None  # the general path reports the bad value


_VARIANT_FIELDS: dict[str, Field[Variant]] = {
    "id": Field("int", lambda v: v.id),
    "sku": Field("istr", lambda v: v.sku),
    "upc": Field("str", lambda v: v.upc),
    "mpn": Field("str", lambda v: v.mpn),
    "gtin": Field("str", lambda v: v.gtin),
    "product_id": Field("int", lambda v: v.product_id),
}


def select_variants(
    catalog: Catalog,
    query: Mapping[str, str],
    *,
    now: datetime,
    product_id: int | None = None,
) -> list[Variant]:
    """Variants matching ``GET /catalog/variants`` filters (``id``, ``sku``, ``upc``,
    ``product_id:in``, ...), in product then creation order."""
    matches = compile_filters(query, _VARIANT_FIELDS, now=now)
    ids = [product_id] if product_id is not None else catalog.product_ids()
    return [v for pid in ids for v in catalog.variants_of(pid) if matches(v)]
