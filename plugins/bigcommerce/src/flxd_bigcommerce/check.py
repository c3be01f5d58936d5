"""`flxd connections check`: does this connection work, and if not, why exactly."""

from __future__ import annotations

from datetime import UTC, datetime

from flxd.plugin import AuthError, ChannelError, CheckContext, CheckReport
from flxd_bigcommerce.client import BigCommerceClient
from flxd_bigcommerce.config import BigCommerceSettings
from flxd_bigcommerce.errors import MissingScope, NotFound, TokenRejected
from flxd_bigcommerce.scopes import PROBES, family, required_scopes

__all__ = ["check_connection"]


async def check_connection(
    client: BigCommerceClient, ctx: CheckContext, settings: BigCommerceSettings
) -> CheckReport:
    details: dict[str, str] = {"store hash": settings.store_hash, "api": client.api_base_url}
    try:
        store = await client.get("v2", "/store")
    except NotFound:
        return CheckReport(
            ok=False,
            verdict=f"wrong store hash: BigCommerce has no store {settings.store_hash!r} "
            "(check the API path of the API account: /stores/<hash>/)",
            details=details,
        )
    except TokenRejected:
        return CheckReport(
            ok=False,
            verdict="token rejected: the access token is wrong or was revoked "
            "(create a new API account, or approve the app again for OAuth)",
            details=details,
        )
    except MissingScope:
        return CheckReport(
            ok=False,
            verdict="missing scope: the token lacks Information (store_v2_information_read_only)",
            details=details,
        )
    except AuthError as exc:  # no credentials to send (an OAuth connection not approved yet)
        return CheckReport(ok=False, verdict=str(exc), details=details)
    except ChannelError as exc:
        return CheckReport(ok=False, verdict=f"cannot reach the store: {exc}", details=details)
    if isinstance(store, dict):
        details["store"] = str(store.get("name", "?"))
        details["domain"] = str(store.get("domain", "?"))
        if store.get("plan_name"):
            details["plan"] = str(store["plan_name"])
    sent = ctx.clock.now()
    answer = await client.get("v2", "/time")
    if isinstance(answer, dict) and isinstance(answer.get("time"), int | float):
        skew = datetime.fromtimestamp(answer["time"], UTC) - sent
        details["clock skew"] = f"{skew.total_seconds():+.0f} s (store minus this machine)"
    stats = client_stats(ctx)
    if stats:
        details["quota"] = stats
    missing: list[str] = []
    for scope in required_scopes(ctx.operations):
        probe = PROBES.get(family(scope))
        if probe is None or family(scope) == "store_v2_information":
            continue
        try:
            await client.get(probe[0], probe[1], {"limit": 1})
        except MissingScope:
            missing.append(scope)
    if missing:
        return CheckReport(
            ok=False,
            verdict="missing scope: the token lacks "
            + ", ".join(missing)
            + " needed by the enabled operations",
            details=details,
        )
    details["scopes"] = "read access confirmed for every enabled operation"
    return CheckReport(ok=True, verdict="connected", details=details)


def client_stats(ctx: CheckContext) -> str:
    stats = ctx.http.limiter.stats
    if stats.quota is None:
        return ""
    return f"{stats.left} of {stats.quota} requests left in the current window"
