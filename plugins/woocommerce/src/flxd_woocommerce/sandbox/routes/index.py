"""``GET /wp-json/`` (the site index) and ``GET /wp-json/wc/v3`` (a namespace index), built
from the routes the store serves. ``namespaces`` lists what a WooCommerce site announces, with
``wc-shipment-tracking/v3`` only when the store has that extension: that is how a client tells
whether it is there. Neither index needs authentication."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from flxd_woocommerce.sandbox.routes.endpoint import Endpoint
from flxd_woocommerce.sandbox.store import Store
from flxd_woocommerce.sandbox.wpdates import utc_offset_hours

if TYPE_CHECKING:
    from flxd_woocommerce.sandbox.server import Sandbox

__all__ = ["namespace_index", "namespaces_of", "routes_data", "site_index"]

_CORE_NAMESPACES = (
    "oembed/1.0",
    "wc/v1",
    "wc/v2",
    "wc/v3",
    "wc/store/v1",
    "wc-admin",
    "wc-analytics",
    "wp/v2",
    "wp-site-health/v1",
)


def namespaces_of(store: Store) -> list[str]:
    extra = ["wc-shipment-tracking/v3"] if store.shipment_tracking else []
    return [*_CORE_NAMESPACES, *extra]


def _served(store: Store, endpoints: Sequence[Endpoint]) -> list[Endpoint]:
    return [
        e
        for e in endpoints
        if e.extension is None or (e.extension == "shipment-tracking" and store.shipment_tracking)
    ]


def _arg_data(schema: dict[str, Any]) -> dict[str, Any]:
    data = {"required": bool(schema.get("required", False))}
    data.update({k: v for k, v in schema.items() if k != "required"})
    return data


def routes_data(
    store: Store, endpoints: Sequence[Endpoint], namespace: str | None
) -> dict[str, Any]:
    """Each route as WordPress describes it: namespace, methods, endpoints with their args."""
    routes: dict[str, Any] = {}
    for endpoint in _served(store, endpoints):
        if namespace is not None and endpoint.namespace != namespace.strip("/"):
            continue
        route = routes.setdefault(
            endpoint.route,
            {"namespace": endpoint.namespace, "methods": [], "endpoints": []},
        )
        route["methods"] += [m for m in endpoint.methods if m not in route["methods"]]
        route["endpoints"].append(
            {
                "methods": list(endpoint.methods),
                "args": {k: _arg_data(v) for k, v in endpoint.args(store).items()},
            }
        )
        if "(?P<" not in endpoint.route:
            route["_links"] = {"self": [{"href": store.site.rest_url(endpoint.route)}]}
    return routes


def _timezone_string(zone: tzinfo) -> str:
    return zone.key if isinstance(zone, ZoneInfo) else ""


def site_index(sandbox: Sandbox, store: Store, endpoints: Sequence[Endpoint]) -> dict[str, Any]:
    site = store.site
    now = sandbox.clock.now()
    return {
        "name": f"Sandbox Shop {store.name}",
        "description": "An emulated WooCommerce store",
        "url": site.home_url,
        "home": site.home_url,
        "gmt_offset": utc_offset_hours(site.timezone, now),
        "timezone_string": _timezone_string(site.timezone),
        "namespaces": namespaces_of(store),
        "authentication": [],
        "routes": routes_data(store, endpoints, None),
        "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
    }


def namespace_index(store: Store, namespace: str, endpoints: Sequence[Endpoint]) -> dict[str, Any]:
    return {
        "namespace": namespace.strip("/"),
        "routes": routes_data(store, endpoints, namespace),
        "_links": {"up": [{"href": store.site.rest_url("/")}]},
    }
