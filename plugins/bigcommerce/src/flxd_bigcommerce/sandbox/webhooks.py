"""Webhook subscriptions (``/v3/hooks``, D:HOOKS) and the payloads they receive (D:WHEV#L14-39).

BigCommerce requires HTTPS on port 443 for destinations (D:HOOKS#L88). The sandbox also accepts
plain HTTP, on any port, to loopback hosts (127.0.0.0/8, ::1, localhost) so a local receiver can
take deliveries; any other destination must be ``https://host[:443]/...`` as on the real service.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flxd_bigcommerce.sandbox.clock import SandboxClock
from flxd_bigcommerce.sandbox.errors import ApiError
from flxd_bigcommerce.sandbox.ids import IdSequence

__all__ = [
    "MAX_HOOKS_PER_SCOPE",
    "Hook",
    "HookRegistry",
    "hook_json",
    "scope_matches",
    "webhook_payload",
]

MAX_HOOKS_PER_SCOPE = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class Hook:
    id: int
    client_id: str
    store_hash: str
    scope: str
    destination: str
    is_active: bool
    headers: dict[str, str] | None
    created_at: datetime
    updated_at: datetime


class _HookWrite(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    scope: Annotated[str, Field(min_length=1)] | None = None
    destination: Annotated[str, Field(min_length=1)] | None = None
    is_active: bool | None = None
    headers: dict[str, str] | None = None


def scope_matches(pattern: str, scope: str) -> bool:
    """``store/order/*`` subscribes to every ``store/order/...`` event."""
    if pattern.endswith("/*"):
        return scope.startswith(pattern[:-1])
    return pattern == scope


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_destination(destination: str) -> None:
    parts = urlsplit(destination)
    host = parts.hostname or ""
    if parts.scheme in ("http", "https") and host and _loopback(host):
        return
    if parts.scheme == "https" and host and parts.port in (None, 443):
        return
    raise ApiError.invalid(
        {
            "destination": "The destination must be an https URL on port 443 (the sandbox also "
            "accepts http on any port to a loopback host)"
        }
    )


def hook_json(hook: Hook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "client_id": hook.client_id,
        "store_hash": hook.store_hash,
        "scope": hook.scope,
        "destination": hook.destination,
        "headers": hook.headers,
        "is_active": hook.is_active,
        "created_at": int(hook.created_at.timestamp()),
        "updated_at": int(hook.updated_at.timestamp()),
    }


def webhook_payload(
    scope: str, data: dict[str, Any], *, store_hash: str, store_id: int, at: datetime
) -> dict[str, Any]:
    """A callback body: ids only, a SHA-1 of the data for de-duplication, Unix ``created_at``."""
    digest = hashlib.sha1(
        json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    return {
        "scope": scope,
        "store_id": str(store_id),
        "data": data,
        "hash": digest,
        "created_at": int(at.timestamp()),
        "producer": f"stores/{store_hash}",
    }


class HookRegistry:
    """The webhooks of one store, each owned by the API client that created it."""

    def __init__(self, store_hash: str, clock: SandboxClock, ids: IdSequence) -> None:
        self.store_hash = store_hash
        self.clock = clock
        self.ids = ids
        self.hooks: dict[int, Hook] = {}

    def owned_by(self, client_id: str) -> Iterator[Hook]:
        return (
            h for h in sorted(self.hooks.values(), key=lambda h: h.id) if h.client_id == client_id
        )

    def get(self, hook_id: int, client_id: str) -> Hook:
        found = self.hooks.get(hook_id)
        if found is None or found.client_id != client_id:
            raise ApiError.not_found("Webhook")
        return found

    def matching(self, scope: str) -> Iterator[Hook]:
        return (h for h in self.hooks.values() if h.is_active and scope_matches(h.scope, scope))

    def _parse(self, payload: Any) -> _HookWrite:
        if not isinstance(payload, dict):
            raise ApiError.invalid({"body": "expected a JSON object"})
        try:
            return _HookWrite.model_validate(payload)
        except ValidationError as exc:
            raise ApiError.invalid(
                {".".join(map(str, e["loc"])): e["msg"] for e in exc.errors()}
            ) from None

    def _check(self, candidate: Hook) -> None:
        if not candidate.scope.startswith("store/"):
            raise ApiError.invalid({"scope": f"Unknown scope {candidate.scope}"})
        check_destination(candidate.destination)
        peers = [
            h
            for h in self.owned_by(candidate.client_id)
            if h.scope == candidate.scope and h.id != candidate.id
        ]
        if any(h.destination == candidate.destination for h in peers):
            raise ApiError.invalid(
                {"destination": "A webhook for this scope and destination already exists"}
            )
        if len(peers) >= MAX_HOOKS_PER_SCOPE:
            raise ApiError.invalid(
                {"scope": f"At most {MAX_HOOKS_PER_SCOPE} webhooks per scope and client"}
            )

    def create(self, client_id: str, payload: Any) -> Hook:
        write = self._parse(payload)
        missing = {
            f: "error.path.missing" for f in ("scope", "destination") if not getattr(write, f)
        }
        if missing:
            raise ApiError.invalid(missing)
        assert write.scope is not None and write.destination is not None
        now = self.clock.now()
        hook = Hook(
            id=self.ids.take("hook"),
            client_id=client_id,
            store_hash=self.store_hash,
            scope=write.scope,
            destination=write.destination,
            is_active=True if write.is_active is None else write.is_active,
            headers=write.headers,
            created_at=now,
            updated_at=now,
        )
        self._check(hook)
        self.hooks[hook.id] = hook
        return hook

    def update(self, hook_id: int, client_id: str, payload: Any) -> Hook:
        hook = self.get(hook_id, client_id)
        write = self._parse(payload)
        changes = {
            k: getattr(write, k)
            for k in write.model_fields_set
            if getattr(write, k) is not None or k == "headers"
        }
        updated = replace(hook, **changes, updated_at=self.clock.now())
        self._check(updated)
        self.hooks[hook_id] = updated
        return updated

    def delete(self, hook_id: int, client_id: str) -> Hook:
        hook = self.get(hook_id, client_id)
        del self.hooks[hook_id]
        return hook
