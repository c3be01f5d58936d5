"""``GET /products`` and ``GET /products/{id}/variations``: WooCommerce's filters over the
catalog. ``sku`` and ``global_unique_id`` take comma-separated lists, match without regard to
case (MySQL's collation) and find variations too, as WooCommerce 9 does; ``status=any`` is
everything but the trash."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import Any

from flxd_woocommerce.sandbox.catalog.catalog import Catalog
from flxd_woocommerce.sandbox.catalog.records import Product, Variation
from flxd_woocommerce.sandbox.listing import date_window, id_filters, order_rows

__all__ = ["list_products", "list_variations"]

Row = Product | Variation


def _csv(value: Any) -> set[str]:
    return {part.strip().casefold() for part in str(value).split(",") if part.strip()}


def _price(row: Row, catalog: Catalog) -> float:
    if isinstance(row, Product) and row.type == "variable":
        prices = [float(v.price) for v in catalog.variations_of(row.id) if v.price != ""]
        return min(prices) if prices else 0.0
    return float(row.price) if row.price != "" else 0.0


def _common(params: Mapping[str, Any], site_tz: tzinfo) -> list[Callable[[Any], bool]]:
    checks: list[Callable[[Any], bool]] = [date_window(params, site_tz), id_filters(params)]
    status = params.get("status", "any")
    if status == "any":
        checks.append(lambda r: r.status != "trash")
    else:
        checks.append(lambda r: r.status == status)
    if params.get("sku"):
        skus = _csv(params["sku"]) | {str(params["sku"]).casefold()}
        checks.append(lambda r: r.sku.casefold() in skus)
    if params.get("stock_status"):
        checks.append(lambda r: r.stock_status == params["stock_status"])
    if "on_sale" in params:
        checks.append(lambda r: r.on_sale == bool(params["on_sale"]))
    return checks


def list_products(catalog: Catalog, params: Mapping[str, Any], site_tz: tzinfo) -> list[Row]:
    checks = _common(params, site_tz)
    rows: list[Row] = list(catalog.products.values())
    if params.get("sku") or params.get("global_unique_id"):
        rows += [v for v in catalog.variations.values() if v.product_id in catalog.products]
    if params.get("global_unique_id"):
        gtins = _csv(params["global_unique_id"])
        checks.append(lambda r: r.global_unique_id.casefold() in gtins)
    if params.get("type"):
        checks.append(lambda r: isinstance(r, Product) and r.type == params["type"])
    if "featured" in params:
        checks.append(lambda r: isinstance(r, Product) and r.featured == bool(params["featured"]))
    if params.get("slug"):
        checks.append(lambda r: isinstance(r, Product) and r.slug == params["slug"])
    if params.get("search"):
        needle = str(params["search"]).casefold()
        checks.append(lambda r: isinstance(r, Product) and needle in r.name.casefold())
    parents = {int(i) for i in params.get("parent") or []}
    if parents:
        checks.append(lambda r: _parent_of(r) in parents)
    parent_exclude = {int(i) for i in params.get("parent_exclude") or []}
    if parent_exclude:
        checks.append(lambda r: _parent_of(r) not in parent_exclude)
    kept = [r for r in rows if all(check(r) for check in checks)]
    return order_rows(kept, params, _product_keys(catalog))


def _parent_of(row: Row) -> int:
    return row.product_id if isinstance(row, Variation) else row.parent_id


def _product_keys(catalog: Catalog) -> dict[str, Callable[[Row], Any]]:
    return {
        "date": lambda r: r.created,
        "id": lambda r: r.id,
        "title": lambda r: r.name.casefold() if isinstance(r, Product) else "",
        "slug": lambda r: r.slug if isinstance(r, Product) else "",
        "price": lambda r: _price(r, catalog),
        "popularity": lambda r: r.total_sales,
        "rating": lambda r: 0,
    }


def list_variations(
    catalog: Catalog, product: Product, params: Mapping[str, Any], site_tz: tzinfo
) -> list[Variation]:
    checks = _common(params, site_tz)
    rows = [v for v in catalog.variations_of(product.id) if all(c(v) for c in checks)]
    keys: dict[str, Callable[[Variation], Any]] = {
        "date": lambda v: v.created,
        "id": lambda v: v.id,
        "title": lambda v: v.menu_order,
        "slug": lambda v: v.id,
    }
    return order_rows(rows, params, keys)
