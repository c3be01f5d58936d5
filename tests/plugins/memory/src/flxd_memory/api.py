"""Talking to the memory store: requests through core's HTTP (a run's `ctx.http`, or the
connection's client in checks), and how to read its answers (the HttpPolicy core applies)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flxd.plugin import (
    AuthError,
    ChannelError,
    Http,
    PermanentError,
    PlanEntry,
    QuotaReport,
    Response,
    TransientError,
)

__all__ = ["MemoryApi", "MemoryPolicy"]


class MemoryApi:
    """One store's API over `http`: core rate-limits, retries, and (in a dry run) records
    writes instead of sending them."""

    def __init__(self, http: Http, base_url: str, token: str) -> None:
        self._http = http
        self._base = base_url
        self._auth = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        answer = await self._http.request(
            "GET", self._base + path, params=params, headers=self._auth
        )
        return answer.data

    async def write(
        self, path: str, body: Any, *, plan: PlanEntry | list[PlanEntry], irreversible: bool
    ) -> Response:
        """A POST, described by `plan` for dry runs. Never re-sent by core once it may have
        reached the store: the caller looks before it creates again."""
        return await self._http.request(
            "POST",
            self._base + path,
            json_body=body,
            headers=self._auth,
            plan=plan,
            irreversible=irreversible,
        )


class MemoryPolicy:
    """What the store's answers mean. It sends no rate-limit headers; a 207 is a success whose
    items the caller reads one by one."""

    def quota(self, headers: Mapping[str, str]) -> QuotaReport | None:
        return None

    def classify(self, response: Response) -> ChannelError | None:
        status = response.status
        if status < 400:
            return None
        message = f"memory store: {_error(response.body)} ({status})"
        if status in (401, 403):
            return AuthError(message)
        if status >= 500:
            return TransientError(message)
        return PermanentError(message)


def _error(body: bytes) -> str:
    try:
        return str(json.loads(body)["error"])
    except (ValueError, KeyError, TypeError):
        return body[:200].decode("utf-8", "replace") or "no reason given"
