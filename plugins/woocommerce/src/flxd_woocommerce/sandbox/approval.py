"""The app approval flow, ``{site}/wc-auth/v1/authorize`` (or ``?wc-auth-version=1&
wc-auth-route=authorize`` without pretty permalinks), as ``WC_Auth`` runs it for a merchant who
is logged in and decides at once (the store's ``approval`` setting: ``approve`` or ``deny``;
there are no login or grant pages to click through).

Checked first, each failure a 401 HTML page "Error: ...": ``app_name``, ``scope``, ``user_id``,
``return_url`` and ``callback_url`` all present and scalar; ``scope`` one of ``read``,
``write``, ``read_write``; both URLs valid once a missing scheme is read as ``https://``; the
callback URL over HTTPS. Approved: a key is created and POSTed to ``callback_url`` as
``{"key_id", "user_id", "consumer_key", "consumer_secret", "key_permissions"}`` (``user_id`` is
the app's own, sent back as the string it was given), ``Content-Type:
application/json;charset=UTF-8``, through the outbound rules (certificate verified, see
:mod:`outbound`). Unless the callback answers exactly 200 the key is deleted and the merchant
sees the error page. Then a 302 to ``return_url`` with ``success=1&user_id=...``
(``success=0`` when denied).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit

from flxd_woocommerce.sandbox.outbound import Outbound
from flxd_woocommerce.sandbox.php import QueryValue, php_json, urlencode
from flxd_woocommerce.sandbox.store import Store

__all__ = ["Approval", "ApprovalError", "run_approval"]

_PARAMS = ("app_name", "user_id", "return_url", "callback_url", "scope")


class ApprovalError(Exception):
    """What ``wp_die`` shows the merchant (status 401)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Approval:
    """One run of the flow, kept in ``store.approvals`` for tests."""

    app_name: str
    scope: str
    user_id: str
    callback_url: str
    return_url: str
    approved: bool
    key_id: int | None
    redirect: str | None
    error: str = ""
    callback_status: int | None = None


def formatted_url(url: str) -> str:
    decoded = unquote(url)
    return decoded if "://" in decoded else f"https://{decoded}"


def _valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme) and bool(parts.hostname) and " " not in url


def validate(request: Mapping[str, QueryValue]) -> dict[str, str]:
    data: dict[str, str] = {}
    for name in _PARAMS:
        value = request.get(name)
        if not value:
            raise ApprovalError(f"Missing parameter {name}")
        if not isinstance(value, str):
            raise ApprovalError(f"Invalid parameter {name}")
        data[name] = value
    if data["scope"] not in ("read", "write", "read_write"):
        raise ApprovalError(f"Invalid scope {data['scope']}")
    for name in ("return_url", "callback_url"):
        url = formatted_url(data[name])
        if not _valid_url(url):
            raise ApprovalError(f"The {url} is not a valid URL")
    if not formatted_url(data["callback_url"]).lower().startswith("https://"):
        raise ApprovalError("The callback_url needs to be over SSL")
    return data


def _with_query(url: str, success: int, user_id: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}success={success}&user_id={urlencode(user_id)}"


async def run_approval(
    store: Store, outbound: Outbound, request: Mapping[str, QueryValue], now: datetime
) -> Approval:
    """Raises :class:`ApprovalError` for what the merchant would see as an error page."""
    data = validate(request)
    return_url = formatted_url(data["return_url"])
    callback_url = formatted_url(data["callback_url"])

    def record(
        approved: bool,
        key_id: int | None,
        redirect: str | None,
        error: str = "",
        status: int | None = None,
    ) -> Approval:
        approval = Approval(
            app_name=data["app_name"],
            scope=data["scope"],
            user_id=data["user_id"],
            callback_url=callback_url,
            return_url=return_url,
            approved=approved,
            key_id=key_id,
            redirect=redirect,
            error=error,
            callback_status=status,
        )
        store.approvals.append(approval)
        return approval

    if store.approval == "deny":
        return record(False, None, _with_query(return_url, 0, data["user_id"]))
    description = f"{data['app_name'][:170]} - API ({now:%Y-%m-%d %H:%M:%S})"
    key = store.keys.create(data["scope"], description)
    body = php_json(
        {
            "key_id": key.key_id,
            "user_id": data["user_id"],
            "consumer_key": key.consumer_key,
            "consumer_secret": key.consumer_secret,
            "key_permissions": key.permissions,
        }
    )
    result = await outbound.post(
        callback_url,
        body,
        {"Content-Type": "application/json;charset=UTF-8", "User-Agent": store.user_agent},
        home_url=store.site.home_url,
        allow_redirects=True,
    )
    if result.status != 200:
        store.keys.revoke(key.key_id)
        error = result.error or (
            "An error occurred in the request and at the time were unable to send the consumer data"
        )
        record(False, None, None, error, result.status)
        raise ApprovalError(error)
    return record(True, key.key_id, _with_query(return_url, 1, data["user_id"]), status=200)
