"""Store information endpoints (D:STORE2): ``/v2/store`` and ``/v2/time``."""

from __future__ import annotations

from aiohttp import web

from flxd_bigcommerce.sandbox.routes.context import Call, Endpoint
from flxd_bigcommerce.sandbox.routes.responses import json_response

__all__ = ["ENDPOINTS"]

SCOPE = "store_v2_information"


async def get_store(call: Call) -> web.Response:
    store = call.store
    origin = str(call.request.url.origin())
    return json_response(
        {
            "id": store.hash,
            "account_uuid": call.sandbox.login.account_uuid,
            "domain": f"{store.hash}.sandbox.invalid",
            "secure_url": f"{origin}/stores/{store.hash}",
            "control_panel_base_url": f"{origin}/__sandbox/stores/{store.hash}",
            "status": "live",
            "name": store.name,
            "first_name": "Sandbox",
            "last_name": "Merchant",
            "address": "1 Loopback Way\nAustin, Texas 78701\nUnited States",
            "country": "United States",
            "country_code": "US",
            "infrastructure_region": "sandbox",
            "phone": "+1 555 010 0000",
            "admin_email": "merchant@example.com",
            "order_email": "orders@example.com",
            "favicon_url": "",
            "timezone": {
                "name": "Etc/UTC",
                "raw_offset": 0,
                "dst_offset": 0,
                "dst_correction": False,
                "date_format": {
                    "display": "jS M Y",
                    "export": "M jS Y",
                    "extended_display": "M jS Y @ g:i A",
                },
            },
            "language": "en",
            "currency": "USD",
            "currency_symbol": "$",
            "decimal_separator": ".",
            "thousands_separator": ",",
            "decimal_places": 2,
            "currency_symbol_location": "left",
            "weight_units": "LBS",
            "dimension_units": "Inches",
            "dimension_decimal_places": 2,
            "dimension_decimal_token": ".",
            "dimension_thousands_token": ",",
            "plan_name": "Sandbox",
            "plan_level": "Standard",
            "plan_is_trial": False,
            "industry": "Retail",
            "logo": [],
            "is_price_entered_with_tax": False,
            "store_id": store.store_id,
            "default_channel_id": 1,
            "default_site_id": 1000,
            "active_comparison_modules": [],
            "features": {
                "stencil_enabled": True,
                "sitewidehttps_enabled": True,
                "facebook_catalog_id": "",
                "checkout_type": "optimized",
                "wishlists_enabled": False,
                "graphql_storefront_api_enabled": False,
                "shopper_consent_tracking_enabled": False,
                "multi_storefront_enabled": False,
            },
        }
    )


async def get_time(call: Call) -> web.Response:
    return json_response({"time": int(call.now.timestamp())})


ENDPOINTS = (
    Endpoint("GET", "/v2/store", get_store, SCOPE, "v2"),
    Endpoint("GET", "/v2/time", get_time, SCOPE, "v2"),
)
