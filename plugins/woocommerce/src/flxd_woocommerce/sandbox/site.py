"""What every rendered answer needs to know about the site it comes from: its URL, timezone,
permalink setting, and how WordPress spells URLs to its REST routes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from flxd_woocommerce.sandbox.wpdates import gmt_text, local_text

__all__ = ["Site"]


@dataclass(slots=True)
class Site:
    """``origin`` gives the sandbox's ``scheme://host:port`` while it serves."""

    name: str
    origin: Callable[[], str]
    timezone: tzinfo
    permalinks: bool = True
    home: str | None = None
    """WordPress's "Site Address" when it is not where the sandbox listens (a site behind a
    proxy): links, OAuth 1.0a signatures and webhook sources use it."""

    @property
    def home_url(self) -> str:
        """The WordPress address: a subdirectory install under the sandbox's origin, unless
        the site was given another (`home`)."""
        return self.home or f"{self.origin()}/stores/{self.name}"

    def rest_url(self, route: str) -> str:
        """``rest_url()``: ``/wp-json/...`` with pretty permalinks, ``?rest_route=`` without."""
        route = "/" + route.lstrip("/")
        if self.permalinks:
            return f"{self.home_url}/wp-json{route}"
        return f"{self.home_url}/index.php?rest_route={route}"

    def local(self, moment: datetime | None) -> str | None:
        return None if moment is None else local_text(moment, self.timezone)

    @staticmethod
    def gmt(moment: datetime | None) -> str | None:
        return None if moment is None else gmt_text(moment)

    def links(self, route: str, collection: str, **extra: str) -> dict[str, list[dict[str, str]]]:
        found = {
            "self": [{"href": self.rest_url(route)}],
            "collection": [{"href": self.rest_url(collection)}],
        }
        for rel, target in extra.items():
            found[rel] = [{"href": self.rest_url(target)}]
        return found
