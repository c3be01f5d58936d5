"""The WooCommerce REST API (v3) as flxd uses it: routes under the site's `/wp-json/`, each
request signed for the key's scheme, JSON in and out, list pages with their headers, and batch
requests with their per-item outcomes.

Rate limiting, retries and timeouts are core's (flxd.net.http.HttpClient, adaptive concurrency):
this module only shapes requests and reads answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from flxd.plugin import Http, PlanEntry, Response, TransientError
from flxd_woocommerce.auth import basic_header, oauth1_signer

__all__ = ["MAX_BATCH", "MAX_PAGE", "BatchItem", "Keys", "ListPage", "WooClient"]

MAX_PAGE = 100
"""The most items WordPress lists per page (`per_page` 1-100)."""
MAX_BATCH = 100
"""The most items (create, update and delete together) one batch request takes."""
WC = "wc/v3"
Params = Mapping[str, str | int]
Keys = tuple[str, str]
"""(consumer key, consumer secret)."""


@dataclass(frozen=True, slots=True)
class ListPage:
    items: list[Any]
    """The page's items as sent (the parser refuses what is not an object)."""
    total: int | None
    """`X-WP-Total`: items in the whole result (None when the header is missing)."""
    total_pages: int | None
    """`X-WP-TotalPages` (None when missing)."""
    has_next: bool
    """`Link` has rel="next"."""


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One item's outcome in a batch answer: the object it wrote, or WordPress's error."""

    data: Mapping[str, Any] | None
    code: str = ""
    message: str = ""
    status: int = 0
    """The error's HTTP status (500: the item was not saved, e.g. a database error)."""

    @property
    def ok(self) -> bool:
        return self.data is not None


class WooClient:
    def __init__(
        self,
        http: Http,
        *,
        site_url: str,
        scheme: Literal["basic", "oauth1"],
        keys: Callable[[], Awaitable[Keys]],
        now: Callable[[], datetime],
    ) -> None:
        self._http = http
        self.site_url = site_url.rstrip("/")
        self.scheme = scheme
        self._keys = keys
        self._now = now

    def url(self, path: str, namespace: str = WC) -> str:
        """`{site}/wp-json/{namespace}/{path}`; the site index with both empty."""
        parts = [part.strip("/") for part in (namespace, path) if part.strip("/")]
        return f"{self.site_url}/wp-json/" + "/".join(parts)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
        namespace: str = WC,
        idempotent: bool | None = None,
        plan: PlanEntry | Sequence[PlanEntry] | None = None,
        irreversible: bool = False,
    ) -> Response:
        """One request. A write says what it does (`plan`: a dry run shows it instead of
        sending it) and whether it can be taken back (`irreversible`: see RunHttp.request)."""
        key, secret = await self._keys()
        headers: dict[str, str] = {}
        sign = None
        if self.scheme == "basic":
            headers.update(basic_header(key, secret))
        else:
            sign = oauth1_signer(key, secret, self._now)
        if body is not None:
            # WordPress reads a JSON body only when the request says it is JSON.
            headers["Content-Type"] = "application/json"
        return await self._http.request(
            method,
            self.url(path, namespace),
            params=params,
            json_body=body,
            headers=headers,
            idempotent=idempotent,
            plan=plan,
            irreversible=irreversible,
            sign=sign,
        )

    async def probe(self, url: str) -> Response:
        """An unsigned GET of any address on the site, tried once (a check's question)."""
        return await self._http.request("GET", url, idempotent=False)

    async def get(self, path: str, params: Params | None = None, *, namespace: str = WC) -> Any:
        """The decoded body of a GET."""
        return (await self.request("GET", path, params=params, namespace=namespace)).data

    async def list_page(self, path: str, params: Params) -> ListPage:
        """One page of a collection, with what its headers say about the rest."""
        response = await self.request("GET", path, params=params)
        if not isinstance(response.data, list):
            raise TransientError(f"GET {path}: expected a JSON array in a list answer")
        headers = response.headers
        return ListPage(
            items=response.data,
            total=_count(headers.get("X-WP-Total")),
            total_pages=_count(headers.get("X-WP-TotalPages")),
            has_next='rel="next"' in headers.get("Link", ""),
        )

    async def pages(self, path: str, params: Params | None = None) -> AsyncIterator[list[Any]]:
        """Every page of a small collection (webhooks, a product's variations), by page number,
        up to `X-WP-TotalPages` (a host may serve fewer than `per_page` a page: the headers
        count with what it served); a collection that is not paged (an order's notes) in its
        one answer. Use a keyed walk for what changes while it is read."""
        page = 1
        while True:
            found = await self.list_page(
                path, {**(params or {}), "per_page": MAX_PAGE, "page": page}
            )
            yield found.items
            if not found.items or not _more(found, page):
                return
            page += 1

    async def batch(
        self,
        path: str,
        *,
        create: Sequence[Mapping[str, Any]] = (),
        update: Sequence[Mapping[str, Any]] = (),
        delete: Sequence[int] = (),
        plan: Sequence[PlanEntry] | None = None,
        irreversible: bool = False,
    ) -> dict[str, list[BatchItem]] | None:
        """`POST {path}/batch` (at most MAX_BATCH items): each section's outcomes in the order
        the items were sent; None in a dry run. Updates and deletes carry absolute values or
        ids and may be sent again safely (`idempotent`); a batch with creates may not."""
        body: dict[str, Any] = {}
        for name, items in (("create", create), ("update", update), ("delete", delete)):
            if items:
                body[name] = list(items)
        assert 0 < sum(len(v) for v in body.values()) <= MAX_BATCH
        response = await self.request(
            "POST",
            f"{path}/batch",
            body=body,
            idempotent=not create,
            plan=plan,
            irreversible=irreversible,
        )
        if response.planned:
            return None
        if not isinstance(response.data, Mapping):
            raise TransientError(f"POST {path}/batch: expected a JSON object")
        return _batch_outcome(response.data, body)


def _batch_outcome(
    data: Mapping[str, Any], sent: Mapping[str, list[Any]]
) -> dict[str, list[BatchItem]]:
    """WooCommerce answers each section's items in the order they were sent."""
    outcome: dict[str, list[BatchItem]] = {}
    for section, items in sent.items():
        answered = data.get(section)
        answered = answered if isinstance(answered, list) else []
        results = outcome[section] = []
        for position in range(len(items)):
            item = answered[position] if position < len(answered) else None
            error = item.get("error") if isinstance(item, Mapping) else None
            if isinstance(error, Mapping):
                code, message = error.get("code"), error.get("message")
                details = error.get("data")
                status = details.get("status") if isinstance(details, Mapping) else None
                results.append(
                    BatchItem(
                        None,
                        str(code or "error"),
                        str(message or ""),
                        status if isinstance(status, int) and not isinstance(status, bool) else 0,
                    )
                )
            elif isinstance(item, Mapping):
                results.append(BatchItem(item))
            else:
                results.append(BatchItem(None, "no_answer", "the answer has nothing for it"))
    return outcome


def _count(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _more(found: ListPage, page: int) -> bool:
    """Whether a page follows. A collection that sends neither `X-WP-TotalPages` nor a `Link`
    is not paged at all (an order's notes): its one answer is everything."""
    if found.total_pages is not None:
        return page < found.total_pages
    return found.has_next
