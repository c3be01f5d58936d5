"""What a REST route is to the store (pattern, methods, argument schema, the permission a
caller needs) and the :class:`Call` its handler receives."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from flxd_woocommerce.sandbox.errors import WpError
from flxd_woocommerce.sandbox.keys import ApiKey
from flxd_woocommerce.sandbox.php import QueryValue
from flxd_woocommerce.sandbox.requestlog import LoggedRequest
from flxd_woocommerce.sandbox.schema.request import Arguments
from flxd_woocommerce.sandbox.site import Site
from flxd_woocommerce.sandbox.store import Store

if TYPE_CHECKING:
    from flxd_woocommerce.sandbox.server import Sandbox

__all__ = [
    "PERMISSION_ERRORS",
    "Args",
    "Call",
    "Endpoint",
    "Handler",
    "Permission",
    "RestResponse",
]

Permission = Literal["list", "view", "create", "edit", "delete", "batch"]
Args = dict[str, dict[str, Any]]
PERMISSION_ERRORS: Mapping[Permission, tuple[str, str]] = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": (
        "woocommerce_rest_cannot_delete",
        "Sorry, you are not allowed to delete this resource.",
    ),
    "batch": (
        "woocommerce_rest_cannot_batch",
        "Sorry, you are not allowed to batch manipulate this resource.",
    ),
}


@dataclass(frozen=True, slots=True)
class RestResponse:
    data: Any
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class Call:
    """One authenticated, validated request to one route of one store."""

    sandbox: Sandbox
    store: Store
    endpoint: Endpoint
    method: str
    key: ApiKey
    arguments: Arguments
    url: Mapping[str, str]
    query: Mapping[str, QueryValue]
    body: Any
    entry: LoggedRequest
    now: datetime

    @property
    def params(self) -> dict[str, Any]:
        return self.arguments.params

    @property
    def site(self) -> Site:
        return self.store.site

    def has(self, name: str) -> bool:
        """The request itself carried ``name`` (a default does not count)."""
        return name in self.arguments.provided

    def int_param(self, name: str) -> int:
        try:
            return int(self.params.get(name) or 0)
        except (TypeError, ValueError):
            return 0


Handler = Callable[[Call], Awaitable[RestResponse]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """``route`` is WordPress's pattern (``/wc/v3/products/(?P<id>[\\d]+)``), matched against
    the whole REST route without regard to case, as WordPress matches."""

    route: str
    methods: tuple[str, ...]
    handler: Handler
    permission: Permission
    args: Callable[[Store], Args]
    extension: str | None = None
    """``shipment-tracking``: served only when the store has the extension."""
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(f"^{self.route}$", re.IGNORECASE))

    @property
    def namespace(self) -> str:
        return "/".join(self.route.strip("/").split("/")[:2])

    def permission_error(self) -> WpError:
        code, message = PERMISSION_ERRORS[self.permission]
        return WpError(401, code, message)
