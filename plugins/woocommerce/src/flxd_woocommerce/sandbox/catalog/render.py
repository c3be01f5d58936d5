"""Products and variations as ``/wc/v3`` renders them (the documented fields plus
``global_unique_id``, WooCommerce 9.2+). Fields the store does not model (downloads,
categories, tags, images, related products) are rendered empty, never left out."""

from __future__ import annotations

import html
from typing import Any

from flxd_woocommerce.sandbox.catalog.catalog import Catalog
from flxd_woocommerce.sandbox.catalog.records import Meta, Product, Variation
from flxd_woocommerce.sandbox.site import Site

__all__ = ["meta_json", "product_json", "variation_as_product_json", "variation_json"]


def meta_json(meta: list[Meta]) -> list[dict[str, Any]]:
    return [{"id": m.id, "key": m.key, "value": m.value} for m in meta]


def _price_html(price: str) -> str:
    if price == "":
        return ""
    return (
        '<span class="woocommerce-Price-amount amount"><bdi><span class="'
        f'woocommerce-Price-currencySymbol">&#36;</span>{html.escape(price)}</bdi></span>'
    )


def _sellable(item: Product | Variation, site: Site) -> dict[str, Any]:
    return {
        "date_created": site.local(item.created),
        "date_created_gmt": site.gmt(item.created),
        "date_modified": site.local(item.modified),
        "date_modified_gmt": site.gmt(item.modified),
    }


def _stock(item: Product | Variation, stock_status: str) -> dict[str, Any]:
    return {
        "manage_stock": item.manage_stock,
        "stock_quantity": item.stock_quantity if item.manage_stock else None,
        "stock_status": stock_status,
        "backorders": item.backorders,
        "backorders_allowed": item.backorders in ("yes", "notify"),
        "backordered": stock_status == "onbackorder",
    }


def _sale_dates() -> dict[str, None]:
    return {
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
    }


def _variable_price(catalog: Catalog, product: Product) -> str:
    prices = [
        v.price
        for v in catalog.variations_of(product.id)
        if v.status == "publish" and v.price != ""
    ]
    return min(prices, key=float) if prices else ""


def product_json(catalog: Catalog, product: Product, site: Site) -> dict[str, Any]:
    variable = product.type == "variable"
    price = _variable_price(catalog, product) if variable else product.price
    stock_status = catalog.stock_status_of(product)
    variations = [v.id for v in catalog.variations_of(product.id)] if variable else []
    return _product_shape(
        product,
        site,
        price=price,
        stock_status=stock_status,
        variations=variations,
        attributes=[
            {
                "id": a.id,
                "name": a.name,
                "position": a.position,
                "visible": a.visible,
                "variation": a.variation,
                "options": list(a.options),
            }
            for a in product.attributes
        ],
        on_sale=(not variable) and product.on_sale,
    )


def _product_shape(
    product: Product,
    site: Site,
    *,
    price: str,
    stock_status: str,
    variations: list[int],
    attributes: list[dict[str, Any]],
    on_sale: bool,
    permalink: str | None = None,
    links: dict[str, Any] | None = None,
) -> dict[str, Any]:
    purchasable = price != "" and product.status in ("publish", "private")
    return {
        "id": product.id,
        "name": product.name,
        "slug": product.slug,
        "permalink": permalink or f"{site.home_url}/product/{product.slug}/",
        **_sellable(product, site),
        "type": product.type,
        "status": product.status,
        "featured": product.featured,
        "catalog_visibility": product.catalog_visibility,
        "description": product.description,
        "short_description": product.short_description,
        "sku": product.sku,
        "global_unique_id": product.global_unique_id,
        "price": price,
        "regular_price": product.regular_price,
        "sale_price": product.sale_price,
        **_sale_dates(),
        "price_html": _price_html(price),
        "on_sale": on_sale,
        "purchasable": purchasable,
        "total_sales": product.total_sales,
        "virtual": product.virtual,
        "downloadable": product.downloadable,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "external_url": "",
        "button_text": "",
        "tax_status": product.tax_status,
        "tax_class": product.tax_class,
        **_stock(product, stock_status),
        "sold_individually": product.sold_individually,
        "weight": product.weight,
        "dimensions": dict(product.dimensions),
        "shipping_required": not product.virtual,
        "shipping_taxable": product.tax_status in ("taxable", "shipping"),
        "shipping_class": "",
        "shipping_class_id": 0,
        "reviews_allowed": product.reviews_allowed,
        "average_rating": "0.00",
        "rating_count": 0,
        "related_ids": [],
        "upsell_ids": [],
        "cross_sell_ids": [],
        "parent_id": product.parent_id,
        "purchase_note": product.purchase_note,
        "categories": [],
        "tags": [],
        "images": [],
        "attributes": attributes,
        "default_attributes": [],
        "variations": variations,
        "grouped_products": [],
        "menu_order": product.menu_order,
        "meta_data": meta_json(product.meta),
        "_links": links or site.links(f"/wc/v3/products/{product.id}", "/wc/v3/products"),
    }


def variation_json(variation: Variation, parent: Product, site: Site) -> dict[str, Any]:
    query = "&".join(f"attribute_{a.name.lower()}={a.option}" for a in variation.attributes)
    permalink = f"{site.home_url}/product/{parent.slug}/" + (f"?{query}" if query else "")
    return {
        "id": variation.id,
        **_sellable(variation, site),
        "description": variation.description,
        "permalink": permalink,
        "sku": variation.sku,
        "global_unique_id": variation.global_unique_id,
        "price": variation.price,
        "regular_price": variation.regular_price,
        "sale_price": variation.sale_price,
        **_sale_dates(),
        "on_sale": variation.on_sale,
        "status": variation.status,
        "purchasable": variation.price != "" and variation.status == "publish",
        "virtual": variation.virtual,
        "downloadable": variation.downloadable,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "tax_status": variation.tax_status,
        "tax_class": variation.tax_class,
        **_stock(variation, variation.stock_status),
        "weight": variation.weight,
        "dimensions": dict(variation.dimensions),
        "shipping_class": "",
        "shipping_class_id": 0,
        "image": None,
        "attributes": [
            {"id": a.id, "name": a.name, "option": a.option} for a in variation.attributes
        ],
        "menu_order": variation.menu_order,
        "meta_data": meta_json(variation.meta),
        "_links": site.links(
            f"/wc/v3/products/{parent.id}/variations/{variation.id}",
            f"/wc/v3/products/{parent.id}/variations",
            up=f"/wc/v3/products/{parent.id}",
        ),
    }


def variation_as_product_json(variation: Variation, parent: Product, site: Site) -> dict[str, Any]:
    """A variation seen through ``/products/{id}`` (a ``sku`` search, a ``product.*`` webhook):
    product fields, ``type`` ``"variation"``, ``parent_id`` set, attributes as ``{id, name,
    option}``."""
    options = ", ".join(a.option for a in variation.attributes if a.option)
    shadow = Product(
        id=variation.id,
        name=f"{parent.name} - {options}" if options else parent.name,
        slug=f"{parent.slug}-{variation.id}",
        type="variation",
        status=variation.status,
        description=variation.description,
        sku=variation.sku,
        global_unique_id=variation.global_unique_id,
        regular_price=variation.regular_price,
        sale_price=variation.sale_price,
        virtual=variation.virtual,
        downloadable=variation.downloadable,
        tax_status=variation.tax_status,
        tax_class=variation.tax_class,
        manage_stock=variation.manage_stock,
        stock_quantity=variation.stock_quantity,
        backorders=variation.backorders,
        weight=variation.weight,
        dimensions=dict(variation.dimensions),
        parent_id=parent.id,
        menu_order=variation.menu_order,
        meta=variation.meta,
        total_sales=variation.total_sales,
        created=variation.created,
        modified=variation.modified,
    )
    return _product_shape(
        shadow,
        site,
        price=variation.price,
        stock_status=variation.stock_status,
        variations=[],
        attributes=[{"id": a.id, "name": a.name, "option": a.option} for a in variation.attributes],
        on_sale=variation.on_sale,
        permalink=f"{site.home_url}/product/{parent.slug}/",
        links=site.links(f"/wc/v3/products/{variation.id}", "/wc/v3/products"),
    )
