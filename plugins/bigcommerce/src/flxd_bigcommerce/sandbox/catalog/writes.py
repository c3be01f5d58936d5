"""Catalog request bodies, validated at the boundary with pydantic.

Every field is optional here; which fields a client actually sent (``model_fields_set``) is what
an update applies. Constraints are BigCommerce's published ones (D:PROD, D:VAR); a violation is a
422 whose ``errors`` name the field path.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flxd_bigcommerce.sandbox.errors import ApiError

__all__ = [
    "CustomFieldWrite",
    "OptionValueRef",
    "OptionValueWrite",
    "OptionWrite",
    "ProductWrite",
    "VariantWrite",
    "parse_body",
    "parse_list",
]

Money = Annotated[Decimal, Field(ge=0, max_digits=20)]
Dimension = Annotated[Decimal, Field(ge=0, le=9_999_999_999)]
Level = Annotated[int, Field(ge=0)]
Text255 = Annotated[str, Field(max_length=255)]
Code14 = Annotated[str, Field(max_length=14)]


class _Body(BaseModel):
    # Unknown keys are ignored (BigCommerce ignores fields it does not know); read-only keys
    # such as date_modified are accepted and dropped for the same reason.
    model_config = ConfigDict(extra="ignore", frozen=True)

    def provided(self) -> dict[str, Any]:
        """The fields the client sent, with their validated values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class CustomFieldWrite(_Body):
    id: int | None = None
    name: Annotated[str, Field(min_length=1, max_length=250)] | None = None
    value: Annotated[str, Field(min_length=1, max_length=250)] | None = None


class CustomUrlWrite(_Body):
    url: Annotated[str, Field(min_length=1, max_length=255)]
    is_customized: bool = False


class OptionValueRef(_Body):
    """An option value named by ids, or by display name and label (created when missing)."""

    id: int | None = None
    option_id: int | None = None
    option_display_name: Text255 | None = None
    label: Text255 | None = None


class VariantWrite(_Body):
    id: int | None = None
    product_id: int | None = None
    sku: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    price: Money | None = None
    sale_price: Money | None = None
    retail_price: Money | None = None
    map_price: Money | None = None
    cost_price: Money | None = None
    weight: Dimension | None = None
    width: Dimension | None = None
    height: Dimension | None = None
    depth: Dimension | None = None
    is_free_shipping: bool | None = None
    fixed_cost_shipping_price: Money | None = None
    purchasing_disabled: bool | None = None
    purchasing_disabled_message: Text255 | None = None
    image_url: str | None = None
    upc: Code14 | None = None
    mpn: str | None = None
    gtin: Code14 | None = None
    inventory_level: Level | None = None
    inventory_warning_level: Level | None = None
    bin_picking_number: Text255 | None = None
    option_values: list[OptionValueRef] | None = None


class ProductWrite(_Body):
    id: int | None = None
    name: Annotated[str, Field(min_length=1, max_length=250)] | None = None
    type: Literal["physical", "digital"] | None = None
    sku: Text255 | None = None
    description: str | None = None
    weight: Dimension | None = None
    width: Dimension | None = None
    depth: Dimension | None = None
    height: Dimension | None = None
    price: Money | None = None
    cost_price: Money | None = None
    retail_price: Money | None = None
    sale_price: Money | None = None
    map_price: Money | None = None
    tax_class_id: Annotated[int, Field(ge=0, le=255)] | None = None
    product_tax_code: Text255 | None = None
    categories: Annotated[list[int], Field(max_length=1000)] | None = None
    brand_id: Annotated[int, Field(ge=0)] | None = None
    inventory_level: Level | None = None
    inventory_warning_level: Level | None = None
    inventory_tracking: Literal["none", "product", "variant"] | None = None
    fixed_cost_shipping_price: Money | None = None
    is_free_shipping: bool | None = None
    is_visible: bool | None = None
    is_featured: bool | None = None
    related_products: list[int] | None = None
    warranty: str | None = None
    bin_picking_number: Text255 | None = None
    layout_file: Annotated[str, Field(max_length=500)] | None = None
    upc: Code14 | None = None
    mpn: str | None = None
    gtin: Code14 | None = None
    search_keywords: str | None = None
    availability: Literal["available", "disabled", "preorder"] | None = None
    availability_description: Text255 | None = None
    sort_order: int | None = None
    condition: Literal["New", "Used", "Refurbished"] | None = None
    is_condition_shown: bool | None = None
    order_quantity_minimum: Level | None = None
    order_quantity_maximum: Level | None = None
    page_title: Text255 | None = None
    meta_keywords: list[str] | None = None
    meta_description: str | None = None
    preorder_release_date: datetime | None = None
    preorder_message: Text255 | None = None
    is_preorder_only: bool | None = None
    is_price_hidden: bool | None = None
    price_hidden_label: Annotated[str, Field(max_length=200)] | None = None
    custom_url: CustomUrlWrite | None = None
    custom_fields: Annotated[list[CustomFieldWrite], Field(max_length=200)] | None = None
    variants: list[VariantWrite] | None = None


class OptionValueWrite(_Body):
    id: int | None = None
    label: Text255 | None = None
    sort_order: int | None = None
    is_default: bool | None = None
    value_data: dict[str, Any] | None = None


class OptionWrite(_Body):
    display_name: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    type: (
        Literal[
            "radio_buttons",
            "rectangles",
            "dropdown",
            "product_list",
            "product_list_with_images",
            "swatch",
        ]
        | None
    ) = None
    sort_order: int | None = None
    config: dict[str, Any] | None = None
    option_values: list[OptionValueWrite] | None = None


B = TypeVar("B", bound=_Body)


def _errors(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors():
        path = ".".join(str(part) for part in err["loc"]) or "body"
        out[prefix + path] = err["msg"]
    return out


def parse_body(model: type[B], payload: Any, *, prefix: str = "") -> B:
    """Validate one JSON object; 422 with per-field errors when it is not acceptable."""
    if not isinstance(payload, Mapping):
        raise ApiError.invalid({prefix.rstrip(".") or "body": "expected a JSON object"})
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise ApiError.invalid(_errors(exc, prefix)) from None


def parse_list(model: type[B], payload: Any) -> list[B]:
    """Validate a JSON array of objects (batch endpoints)."""
    if not isinstance(payload, list):
        raise ApiError.invalid({"body": "expected a JSON array"})
    return [parse_body(model, item, prefix=f"{index}.") for index, item in enumerate(payload)]
