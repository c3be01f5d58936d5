"""The BigCommerce API as flxd uses it: URLs per store, the token header, JSON in and out, and
both paging styles as async iterators that hold one page at a time.

Rate limiting, retries and timeouts are core's (flxd.net.http.HttpClient); this module only shapes
requests and reads answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from flxd.plugin import Http, PermanentError, PlanEntry, Response, TransientError
from flxd_bigcommerce.policy import problem_details

__all__ = [
    "API_BASE_URL",
    "BigCommerceClient",
    "Pagination",
    "V3Page",
    "Version",
    "v3_has_more",
]

API_BASE_URL = "https://api.bigcommerce.com"
MAX_PAGE = 250
Version = Literal["v2", "v3"]
Params = Mapping[str, str | int]


@dataclass(frozen=True, slots=True)
class Pagination:
    total: int
    count: int
    per_page: int
    current_page: int
    total_pages: int


@dataclass(frozen=True, slots=True)
class V3Page:
    items: list[dict[str, Any]]
    pagination: Pagination | None


class BigCommerceClient:
    def __init__(
        self,
        http: Http,
        *,
        store_hash: str,
        token: Callable[[], Awaitable[str]],
        api_base_url: str = API_BASE_URL,
    ) -> None:
        self._http = http
        self.store_hash = store_hash
        self.api_base_url = api_base_url.rstrip("/")
        self._token = token
        self._base = f"{self.api_base_url}/stores/{store_hash}"

    def url(self, version: Version, path: str) -> str:
        return f"{self._base}/{version}/{path.lstrip('/')}"

    async def request(
        self,
        method: str,
        version: Version,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
        idempotent: bool | None = None,
        plan: PlanEntry | Sequence[PlanEntry] | None = None,
        irreversible: bool = False,
    ) -> Response:
        """One request. A write says what it does (`plan`: a dry run shows it instead of
        sending it) and whether it can be taken back (`irreversible`: see RunHttp.request)."""
        headers = {"X-Auth-Token": await self._token()}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return await self._http.request(
            method,
            self.url(version, path),
            params=params,
            json_body=body,
            headers=headers,
            idempotent=idempotent,
            plan=plan,
            irreversible=irreversible,
        )

    async def get(self, version: Version, path: str, params: Params | None = None) -> Any:
        """The decoded body of a GET (None for 204 No Content)."""
        return (await self.request("GET", version, path, params=params)).data

    async def v3_data(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
        idempotent: bool | None = None,
        plan: PlanEntry | Sequence[PlanEntry] | None = None,
        irreversible: bool = False,
    ) -> Any:
        """`data` of a V3 answer; a 207 (partly saved) raises with BigCommerce's errors, since
        the caller asked for all of it. A dry run's write answers None."""
        response = await self.request(
            method,
            "v3",
            path,
            params=params,
            body=body,
            idempotent=idempotent,
            plan=plan,
            irreversible=irreversible,
        )
        if response.planned:
            return None
        payload = response.data
        if response.status == 207:
            title, fields = problem_details(response.body)
            raise PermanentError(f"{method} {path}: 207 partly saved: {title} {fields}".strip())
        if not isinstance(payload, dict):
            if response.status == 204:
                return None
            raise TransientError(
                f"{method} {path}: expected a JSON object, got {type(payload).__name__}"
            )
        return payload.get("data")

    async def v3_pages(
        self, path: str, params: Params | None = None, *, limit: int = MAX_PAGE
    ) -> AsyncIterator[V3Page]:
        """Every page of a V3 collection, following `meta.pagination`."""
        page = 1
        while True:
            answer = await self.get("v3", path, {**(params or {}), "page": page, "limit": limit})
            if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
                raise TransientError(f"GET {path}: expected {{data: [...]}} in a V3 list answer")
            pagination = _pagination(answer)
            items = [item for item in answer["data"] if isinstance(item, dict)]
            yield V3Page(items, pagination)
            if not v3_has_more(answer):
                return
            page += 1

    async def v2_pages(
        self, path: str, params: Params | None = None, *, limit: int = MAX_PAGE
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every page of a V2 collection: bare arrays, until a 204 or an empty page, the only
        end V2 marks (API.md §9.1): a page may be shorter than `limit` before the last, since
        the maximum page size is not stated and a store may serve fewer than asked."""
        page = 1
        previous: list[Any] | None = None
        while True:
            answer = await self.get("v2", path, {**(params or {}), "page": page, "limit": limit})
            if answer is None:  # 204: nothing (more)
                return
            if not isinstance(answer, list):
                raise TransientError(f"GET {path}: expected a JSON array in a V2 list answer")
            if not answer or answer == previous:
                # Empty, or the last page again (a server that ignores `page`): no more.
                return
            items = [item for item in answer if isinstance(item, dict)]
            if items:
                yield items
            previous = answer
            page += 1


def v3_has_more(answer: Mapping[str, Any]) -> bool:
    """Whether a V3 list has pages after this answer's, on BigCommerce's word: `meta.pagination`
    (`current_page < total_pages`, or a `links.next`), never the page's length, since a store
    may serve fewer than `limit` before the last page (API.md §5). Without pagination metadata
    the list goes on until an empty page."""
    data = answer.get("data")
    if not data:
        return False
    pagination = _pagination(answer)
    if pagination is not None and pagination.current_page < pagination.total_pages:
        return True
    meta = answer.get("meta")
    raw = meta.get("pagination") if isinstance(meta, dict) else None
    links = raw.get("links") if isinstance(raw, dict) else None
    if isinstance(links, dict) and links.get("next"):
        return True
    return pagination is None


def _pagination(answer: Mapping[str, Any]) -> Pagination | None:
    meta = answer.get("meta")
    raw = meta.get("pagination") if isinstance(meta, dict) else None
    if not isinstance(raw, dict):
        return None
    try:
        return Pagination(
            total=int(raw["total"]),
            count=int(raw["count"]),
            per_page=int(raw["per_page"]),
            current_page=int(raw["current_page"]),
            total_pages=int(raw["total_pages"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
