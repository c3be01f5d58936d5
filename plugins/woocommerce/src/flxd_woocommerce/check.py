"""`flxd connections check`: does this connection work, and if not, why exactly.

Told apart: an address where nothing answers; an address without WordPress's REST API; a
WordPress whose pretty permalinks are off (`/wp-json/` is a 404 page, `?rest_route=/` works:
WooCommerce's documents require pretty permalinks); WordPress without WooCommerce's API; keys
the site does not accept (an unknown key, a wrong secret, a bad signature, a clock too far from
the site's for OAuth 1.0a); keys that may only read (or only write) where the enabled
operations need more.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

from flxd.plugin import AuthError, ChannelError, CheckContext, CheckReport, Operation, Response
from flxd_woocommerce.client import WooClient
from flxd_woocommerce.errors import KeyRejected, NoApi
from flxd_woocommerce.features import TRACKING_NAMESPACE

__all__ = ["check_connection"]

_WRITERS = frozenset({Operation.PUBLISH_LISTINGS, Operation.SYNC_LISTINGS, Operation.SYNC_ORDERS})


async def check_connection(client: WooClient, ctx: CheckContext) -> CheckReport:
    details: dict[str, str] = {"site": client.site_url, "auth": _scheme(client)}
    try:
        index = await client.request(
            "GET", "", namespace="", params={"_fields": "name,namespaces"}, idempotent=False
        )
    except NoApi:
        return CheckReport(ok=False, verdict=await _why_no_api(client), details=details)
    except AuthError as exc:  # no keys yet (an approval not done)
        return CheckReport(ok=False, verdict=str(exc), details=details)
    except ChannelError as exc:
        return CheckReport(ok=False, verdict=f"cannot reach the site: {exc}", details=details)
    data = index.data if isinstance(index.data, Mapping) else {}
    namespaces = data.get("namespaces")
    namespaces = namespaces if isinstance(namespaces, list) else []
    if isinstance(data.get("name"), str):
        details["name"] = data["name"]
    if "wc/v3" not in namespaces:
        return CheckReport(
            ok=False,
            verdict="WordPress answers, but without WooCommerce's REST API (wc/v3): is "
            "WooCommerce installed and active?",
            details=details,
        )
    details["shipment tracking"] = "yes" if TRACKING_NAMESPACE in namespaces else "no"
    skew = _skew(index, ctx.clock.now())
    if skew is not None:
        details["clock skew"] = f"{skew:+.0f} s (site minus this machine)"
    try:
        products = await client.list_page("products", {"per_page": 1, "_fields": "id"})
    except KeyRejected as exc:
        return CheckReport(ok=False, verdict=_rejected(exc, skew), details=details)
    details["products"] = str(products.total) if products.total is not None else "?"
    if set(ctx.operations) & _WRITERS or _acknowledges(ctx):
        try:
            # An empty batch: a write that changes nothing, refused to a read-only key.
            await client.request("POST", "products/batch", body={}, idempotent=True)
        except KeyRejected as exc:
            return CheckReport(
                ok=False,
                verdict=f"read-only keys: the enabled operations write, and the site says: "
                f"{exc.detail or exc}",
                details=details,
            )
        details["keys"] = "read and write confirmed"
    else:
        details["keys"] = "read confirmed (the enabled operations only read)"
    return CheckReport(ok=True, verdict="connected", details=details)


def _scheme(client: WooClient) -> str:
    if client.scheme == "basic":
        return "HTTP Basic over HTTPS"
    return "OAuth 1.0a (HMAC-SHA256)" + (
        " over plain HTTP" if client.site_url.startswith("http:") else ""
    )


def _acknowledges(ctx: CheckContext) -> bool:
    settings = ctx.operation_settings.get(Operation.GET_ORDERS)
    return (
        Operation.GET_ORDERS in ctx.operations
        and getattr(settings, "acknowledge", "none") != "none"
    )


def _skew(response: Response, now: datetime) -> float | None:
    try:
        return (parsedate_to_datetime(response.headers.get("Date", "")) - now).total_seconds()
    except (TypeError, ValueError):
        return None


def _rejected(exc: KeyRejected, skew: float | None) -> str:
    said = exc.detail or str(exc)
    if "write permissions" not in said and "read permissions" in said:
        return f"write-only keys: the site says: {said}"
    hint = ""
    if "timestamp" in said.lower() and skew is not None:
        hint = f" (this machine's clock is {abs(skew):.0f} s off the site's)"
    return f"keys rejected: the site says: {said}{hint} (check consumer_key and consumer_secret)"


async def _why_no_api(client: WooClient) -> str:
    """/wp-json/ is not there: a WordPress without pretty permalinks, or no WordPress at all."""
    try:
        response = await client.probe(f"{client.site_url}/?rest_route=/")
    except ChannelError:
        response = None
    if (
        response is not None
        and isinstance(response.data, Mapping)
        and "namespaces" in response.data
    ):
        return (
            "pretty permalinks are off: WordPress answers only at ?rest_route=, and "
            "WooCommerce's API needs them (Settings > Permalinks, any choice but Plain)"
        )
    return f"wrong url: no WordPress REST API at {client.site_url}/wp-json/"
